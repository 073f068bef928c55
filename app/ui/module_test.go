package ui

import (
	"strings"
	"testing"

	"trapdoor/wasm/protocol"
)

// The chosen modules go to the worker under /lib/modules/: the picked
// examples by URL in the list's order, then the uploads with their bytes;
// a file that is no relocatable ELF object is refused.
func TestModuleChoiceFiles(t *testing.T) {
	c := kmodChoice{examples: []protocol.ModuleEntry{
		{Name: "msgbox.o", URL: "programs/modules/msgbox.o"},
		{Name: "sayhello.o", URL: "programs/modules/sayhello.o"},
	}}
	if c.any() {
		t.Fatal("a module is chosen before any was picked")
	}
	c.toggle("sayhello.o")
	c.toggle("msgbox.o")
	c.toggle("msgbox.o") // picked, then dropped
	obj := append([]byte("\x7fELF\x01\x01\x01"), make([]byte, 20)...)
	obj[16] = 1 // ET_REL
	c.addUpload("mine", obj)
	c.addUpload("notes.txt", []byte("hello"))
	if c.err == "" || !strings.Contains(c.err, "notes.txt") {
		t.Errorf("a text file taken as a module: err %q", c.err)
	}
	exe := append([]byte(nil), obj...)
	exe[16] = 2 // ET_EXEC: a program, not a module
	c.addUpload("prog.o", exe)
	fs := c.files()
	if len(fs) != 2 || fs[0].Path != "/lib/modules/sayhello.o" || fs[0].URL != "programs/modules/sayhello.o" ||
		fs[1].Path != "/lib/modules/mine.o" || len(fs[1].Data) != len(obj) {
		t.Errorf("files: %+v", fs)
	}
	c.drop("mine.o")
	if fs := c.files(); len(fs) != 1 {
		t.Errorf("after dropping the upload: %+v", fs)
	}
}
