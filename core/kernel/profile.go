package kernel

import (
	"fmt"
	"sort"
	"strings"
)

// Kernel profiles: which system call table a machine answers. The
// course calls (500-509) are in every profile; "linux-4.15" is the
// kernel the INFO0940 handout patches, whose table ends at 384 and whose
// students put pf_set_param, pf_get_info and pf_cleanup at 385-387.

// Profile names.
const (
	ProfileDefault  = "default"
	ProfileLinux415 = "linux-4.15"
)

// linux415Last is the last system call number Linux 4.15 defines on
// i386 (arch_prctl).
const linux415Last = 384

// profiles maps each profile name to its table, built once at start-up.
var profiles = map[string]*Table{
	ProfileDefault:  NewTable(join(linuxFamilies, courseCalls)...),
	ProfileLinux415: NewTable(join(upTo(linux415Last, linuxFamilies), pf415Calls, courseCalls)...),
}

// join is families followed by more, in a new slice.
func join(families [][]Syscall, more ...[]Syscall) [][]Syscall {
	return append(append([][]Syscall{}, families...), more...)
}

// upTo keeps the rows of each family numbered at most last.
func upTo(last uint32, families [][]Syscall) [][]Syscall {
	var out [][]Syscall
	for _, fam := range families {
		var keep []Syscall
		for _, s := range fam {
			if s.Nr <= last {
				keep = append(keep, s)
			}
		}
		out = append(out, keep)
	}
	return out
}

// Profiles lists the profile names, sorted.
func Profiles() []string {
	var names []string
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// CheckProfile reports whether name is a profile ("" means the default).
func CheckProfile(name string) error {
	if name == "" {
		return nil
	}
	if _, ok := profiles[name]; !ok {
		return fmt.Errorf("unknown kernel profile %q (known: %s)", name, strings.Join(Profiles(), ", "))
	}
	return nil
}

// profileTable is the table of a profile; New refuses unknown names.
func profileTable(name string) *Table {
	if name == "" {
		name = ProfileDefault
	}
	t, ok := profiles[name]
	if !ok {
		panic(CheckProfile(name))
	}
	return t
}

// Profile is the machine's profile name.
func (k *Kernel) Profile() string {
	if k.cfg.Profile == "" {
		return ProfileDefault
	}
	return k.cfg.Profile
}

// MsgboxPolicy is what msgbox_get does with a message that does not fit
// and with an empty box (see msgbox.go).
type MsgboxPolicy string

// Message box policies.
const (
	// MsgboxKeep is the DM510 2019 design: -EMSGSIZE and -EFAULT leave
	// the message on the stack; an empty box is -ENOMSG.
	MsgboxKeep MsgboxPolicy = "keep"
	// MsgboxTruncate is the DM510 2023 design: the message is copied up
	// to the buffer's size and removed; an empty box is -ENODATA.
	MsgboxTruncate MsgboxPolicy = "truncate"
)

// ParseMsgboxPolicy checks a policy name ("" means keep).
func ParseMsgboxPolicy(s string) (MsgboxPolicy, error) {
	switch MsgboxPolicy(s) {
	case "", MsgboxKeep:
		return MsgboxKeep, nil
	case MsgboxTruncate:
		return MsgboxTruncate, nil
	}
	return "", fmt.Errorf("unknown msgbox policy %q (known: keep, truncate)", s)
}
