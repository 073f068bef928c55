package kernel

import (
	"bytes"
	"debug/elf"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzModuleRun loads mutated module objects and runs a program calling
// their syscalls: whatever the object holds, and whatever its code does
// at CPL 0, the emulator reports errors, oopses or kills tasks; it never
// fails itself.
func FuzzModuleRun(f *testing.F) {
	for _, name := range []string{"msgbox", "sayhello", "nctu"} {
		if data, err := os.ReadFile(filepath.Join("../../testvectors/modules", name+".o")); err == nil {
			f.Add(data)
		}
	}
	var prog []byte
	if _, err := exec.LookPath("gcc"); err == nil {
		out := filepath.Join(f.TempDir(), "kmod_msgbox")
		if exec.Command("gcc", "-m32", "-static", "-O2", "-I", kmodInclude, "-o", out, filepath.Join("testdata", "kmod_msgbox.c")).Run() == nil {
			prog, _ = os.ReadFile(out)
		}
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		var out bytes.Buffer
		k := New(Config{MaxInstructions: 5_000_000, Stdout: Stdio{W: &out, Kind: StdioPipe}, Stderr: Stdio{W: io.Discard}})
		if err := k.SetModuleLockup(1_000_000); err != nil {
			t.Fatal(err)
		}
		if _, err := k.LoadModule("fuzz", obj); err != nil || prog == nil {
			return
		}
		k.Install("/bin/p", prog)
		if _, err := k.Start("/bin/p", []string{"p"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Run(); err != nil {
			t.Fatalf("emulator failed: %v", err)
		}
	})
}

// Random bytes written over a module's code run at CPL 0: every run ends
// with the program's exit, a killed task or the budget, never an
// emulator failure.
func TestModuleRandomCode(t *testing.T) {
	obj, err := os.ReadFile("../../testvectors/modules/msgbox.o")
	if err != nil {
		t.Fatal(err)
	}
	prog := kmodProg(t, "kmod_msgbox")
	f, err := elf.NewFile(bytes.NewReader(obj))
	if err != nil {
		t.Fatal(err)
	}
	text := f.Section(".text")
	rng := rand.New(rand.NewPCG(7, 7))
	oopses := 0
	for i := 0; i < 40; i++ {
		b := bytes.Clone(obj)
		for j := 0; j < 1+rng.IntN(6); j++ {
			b[text.Offset+uint64(rng.IntN(int(text.Size)))] = byte(rng.IntN(256))
		}
		var out bytes.Buffer
		k := New(Config{Seed: uint64(i), MaxInstructions: 20_000_000, Stdout: Stdio{W: &out, Kind: StdioPipe}, Stderr: Stdio{W: io.Discard}})
		if err := k.SetModuleLockup(2_000_000); err != nil {
			t.Fatal(err)
		}
		if _, err := k.LoadModule("msgbox", b); err != nil {
			t.Fatal(err)
		}
		k.Install("/bin/p", prog)
		if _, err := k.Start("/bin/p", []string{"p"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Run(); err != nil {
			t.Fatalf("run %d: emulator failed: %v", i, err)
		}
		oopses += k.ModuleStats().Oopses + k.ModuleStats().Lockups
	}
	t.Logf("40 runs of corrupted module code: %d oopses and lockups", oopses)
	if oopses == 0 {
		t.Fatal("corrupted code never oopsed: the corruption did not run")
	}
}
