package protocol

// The page's shell: busybox sh as the first process on the console
// terminal, with the site's programs in /bin, so several programs run on
// one kernel (the INFO0940 sequence, a job in the background while ps
// runs).

// ShellVector is busybox's path under the site's web/programs/.
const ShellVector = "thirdparty/busybox"

// ShellSettings are the machine settings a course needs, applied when the
// shell starts (the CLI's --profile, --msgbox and --seed).
type ShellSettings struct {
	Profile string `json:"profile,omitempty"` // "default" or "linux-4.15"
	Msgbox  string `json:"msgbox,omitempty"`  // "keep" or "truncate"
	Seed    uint64 `json:"seed,omitempty"`
}

// ShellLoad is the Load request that starts the shell: busybox (fetched
// from busyboxURL) runs as an interactive sh in /bin, where the programs
// are installed by name; its prompt shows the directory.
func ShellLoad(gen int, busyboxURL string, programs []Program, s ShellSettings) Request {
	r := Request{Type: Load, Gen: gen, Name: "busybox", URL: busyboxURL,
		Args:    []string{"sh", "-i"},
		Env:     []string{"PATH=/bin", "HOME=/", "TERM=dumb", `PS1=\w $ `},
		Cwd:     "/bin",
		Profile: s.Profile, Msgbox: s.Msgbox, Seed: s.Seed}
	for _, p := range programs {
		r.Files = append(r.Files, File{Path: "/bin/" + p.Name, URL: p.URL})
	}
	return r
}
