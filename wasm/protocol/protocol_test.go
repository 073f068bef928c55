package protocol

import (
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	r := Request{Type: Load, Name: "hello", Data: []byte{0x7f, 'E', 'L', 'F', 0}, Args: []string{"hello", "x"}}
	got, err := DecodeRequest(Encode(r))
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("request round trip: %+v, %v", got, err)
	}
	st := 139
	e := Event{Type: Update, State: StateExited, Exit: &st, Output: []Output{{FD: 1, Text: "hello\n"}},
		Trace: []TraceLine{{Pid: 1, Name: "write", Text: `write(1, "hello\n", 6) = 6`}}, Instructions: 1 << 40}
	ge, err := DecodeEvent(Encode(e))
	if err != nil || !reflect.DeepEqual(ge, e) {
		t.Fatalf("event round trip: %+v, %v", ge, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, s := range []string{"", "{", `{"name":"x"}`, `[1]`} {
		if _, err := DecodeRequest(s); err == nil {
			t.Errorf("DecodeRequest(%q) accepted", s)
		}
		if _, err := DecodeEvent(s); err == nil {
			t.Errorf("DecodeEvent(%q) accepted", s)
		}
	}
}
