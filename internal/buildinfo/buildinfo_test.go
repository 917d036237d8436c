package buildinfo

import (
	"runtime"
	"strings"
	"testing"
)

func TestGetAndString(t *testing.T) {
	tests := []struct {
		name    string
		version string
		want    string
	}{
		{"link-time version", "1.2.3", "midonet 1.2.3 (revision "},
		{"no version", "", "midonet "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := Version
			Version = tc.version
			defer func() { Version = old }()
			i := Get()
			if i.Version == "" || i.Revision == "" || i.GoVersion != runtime.Version() {
				t.Errorf("Get() = %+v", i)
			}
			if s := i.String(); !strings.HasPrefix(s, tc.want) || !strings.HasSuffix(s, runtime.Version()+")") {
				t.Errorf("String() = %q, want prefix %q", s, tc.want)
			}
		})
	}
}
