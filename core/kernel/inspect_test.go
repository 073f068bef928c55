package kernel

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"trapdoor/core/trace"
)

// stopAfter yields after the first system call named name, then records.
type stopAfter struct {
	k    *Kernel
	name string
	hit  bool
}

func (s *stopAfter) Event(e *trace.Event) {
	if !s.hit && e.Kind == trace.Syscall && e.Name == s.name {
		s.hit = true
		s.k.Yield()
	}
}

// runUntilCall runs a vector until just after its first call named name.
func runUntilCall(t *testing.T, vec, name string) *stepRun {
	t.Helper()
	sink := &stopAfter{name: name}
	r := startStepVector(t, vec, sink)
	sink.k = r.k
	done, _, err := r.k.RunFor(1 << 40)
	require.NoError(t, err)
	require.False(t, done, "%s ended before calling %s", vec, name)
	require.True(t, sink.hit)
	return r
}

// Right after fork the child shares every present private page with its
// parent: the frames have two references and neither side may write them.
func TestInspectForkSharesFrames(t *testing.T) {
	r := runUntilCall(t, "cow", "fork")
	k := r.k
	procs := k.Processes()
	require.Len(t, procs, 2)
	parent, child := procs[0], procs[1]
	require.Equal(t, 1, parent.Pid)
	require.Equal(t, 1, child.PPid)
	require.Equal(t, []string{"cow"}, parent.Cmdline)
	require.Equal(t, parent.Cmdline, child.Cmdline)
	require.Equal(t, "cow", child.Comm)
	require.Equal(t, "R", child.State)
	require.Greater(t, parent.VSize, uint64(0))

	as, ok := k.AddressSpace(child.Pid)
	require.True(t, ok)
	var data *VMAInfo
	for i, v := range as.VMAs {
		if v.Kind == "file" && strings.HasPrefix(v.Perms, "rw") && v.Present > 0 {
			data = &as.VMAs[i]
			break
		}
	}
	require.NotNil(t, data, "no writable file mapping (.data) in %+v", as.VMAs)
	require.Equal(t, data.Present, data.Shared, "after fork every present .data page is shared")

	pages, _, ok := k.Pages(child.Pid, data.Start, 64)
	require.True(t, ok)
	shared := 0
	for _, p := range pages {
		if p.Present {
			require.GreaterOrEqual(t, p.Refs, uint32(2))
			require.False(t, p.Writable, "a shared private page must fault on write (CoW)")
			shared++
		}
	}
	require.Greater(t, shared, 0)
	ppages, _, _ := k.Pages(parent.Pid, data.Start, 64)
	for i, p := range pages {
		if p.Present {
			require.Equal(t, p.Frame, ppages[i].Frame, "parent and child map the same frame at %#x", p.Addr)
		}
	}

	// Looking changed nothing: the fault counts are what they were.
	before := as.MinorFaults + as.CoWFaults
	k.Processes()
	k.Pages(child.Pid, 0x08048000, 4096)
	again, _ := k.AddressSpace(child.Pid)
	require.Equal(t, before, again.MinorFaults+again.CoWFaults)

	_, _, ok = k.Pages(child.Pid, 0x10, 8)
	require.False(t, ok, "no VMA at 0x10")
	_, ok = k.AddressSpace(999)
	require.False(t, ok)
}

// Writes after fork take copy-on-write faults and unshare the frames; by
// the end every process is a zombie with no memory.
func TestInspectAfterCoW(t *testing.T) {
	r := runUntilCall(t, "cow", "wait4")
	as, ok := r.k.AddressSpace(1)
	require.True(t, ok)
	require.Greater(t, as.CoWFaults, uint64(0))
	var perVMA uint64
	for _, v := range as.VMAs {
		perVMA += v.CoWFaults
	}
	require.Greater(t, perVMA, uint64(0), "the CoW faults are counted per VMA too")
}

func TestInspectSignals(t *testing.T) {
	r := runUntilCall(t, "signals", "rt_sigaction")
	s, ok := r.k.Signals(1)
	require.True(t, ok)
	require.NotEmpty(t, s.Actions, "after its first sigaction signals has a handler")
	for _, a := range s.Actions {
		require.True(t, a.Ignored || a.Handler > 1, "%+v", a)
		require.True(t, strings.HasPrefix(a.Name, "SIG"), a.Name)
	}
	_, ok = r.k.Signals(42)
	require.False(t, ok)
}

func TestSyscallArgsBefore(t *testing.T) {
	k := New(Config{})
	// read(fd, buf, count): the buffer is filled by the call.
	require.Equal(t, []bool{true, false, true}, k.SyscallArgsBefore(3))
	// write(fd, buf, count): the buffer is read from the process.
	require.Equal(t, []bool{true, true, true}, k.SyscallArgsBefore(4))
	require.Nil(t, k.SyscallArgsBefore(100000))
}
