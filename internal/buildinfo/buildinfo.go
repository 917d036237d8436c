// Package buildinfo says which build of midonet is running: the version (set at link time with
// -ldflags "-X github.com/midonet-go/midonet/internal/buildinfo.Version=1.2.3", else the
// module's version, else "dev"), the VCS revision the Go toolchain recorded, and the Go
// version. `midonet --version`, the start line of the log and the midonet_build_info metric
// show it.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is the release version, set at link time.
var Version = ""

// Info is one build's identity.
type Info struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"` // VCS commit; "unknown" when the build did not record it
	Modified  bool   `json:"modified"` // built from a work tree with uncommitted changes
	GoVersion string `json:"go_version"`
}

// Get returns the running binary's build.
func Get() Info {
	i := Info{Version: Version, Revision: "unknown", GoVersion: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				i.Revision = s.Value
			case "vcs.modified":
				i.Modified = s.Value == "true"
			}
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	return i
}

// String is the one line `midonet --version` prints.
func (i Info) String() string {
	rev := i.Revision
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if i.Modified {
		rev += "+modified"
	}
	return fmt.Sprintf("midonet %s (revision %s, %s)", i.Version, rev, i.GoVersion)
}
