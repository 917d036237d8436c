// Package contrib_test checks what contrib/ ships for operators: the systemd units pass
// `systemd-analyze verify` without a warning, and the command line of each unit's ExecStart
// is one the binary accepts. (The container image is built and run by
// contrib/container/build-test.sh, a step of .ci/run.)
package contrib_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func units(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../contrib/systemd/*.service")
	if err != nil || len(files) == 0 {
		t.Fatalf("no units under contrib/systemd (%v)", err)
	}
	return files
}

// TestSystemdUnitsVerify: `systemd-analyze verify` over a root holding this host's system
// units, the units and the binary as /usr/bin/midonet finds nothing to say (a warning, such
// as an unknown key, fails the test as an error would).
func TestSystemdUnitsVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Fatalf("systemd-analyze: %v (Debian package systemd)", err)
	}
	root := t.TempDir()
	for _, d := range []string{"usr/bin", "etc/systemd/system", "usr/lib/systemd"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("cp", "-r", "/usr/lib/systemd/system", filepath.Join(root, "usr/lib/systemd/")).CombinedOutput(); err != nil {
		t.Fatalf("copy the system units: %v %s", err, out)
	}
	if out, err := exec.Command("cp", testenv.Binary(t), filepath.Join(root, "usr/bin/midonet")).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	var names []string
	for _, f := range units(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "etc/systemd/system", filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Base(f))
	}
	cmd := exec.Command("systemd-analyze", append([]string{"--root=" + root, "verify"}, names...)...)
	cmd.Dir = filepath.Join(root, "etc/systemd/system")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || out.Len() > 0 {
		t.Errorf("systemd-analyze verify %v: %v\n%s", names, err, out.String())
	}

	// The checker itself: a unit with an unknown key is reported.
	bad := filepath.Join(root, "etc/systemd/system", "midonet-bad.service")
	if err := os.WriteFile(bad, []byte("[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/midonet serve\nBogusKey=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command("systemd-analyze", "--root="+root, "verify", "midonet-bad.service")
	cmd.Dir = filepath.Dir(bad)
	if b, _ := cmd.CombinedOutput(); !strings.Contains(string(b), "BogusKey") {
		t.Errorf("an unknown key went unreported: %s", b)
	}
}

// TestSystemdExecStart: each unit's ExecStart is a command line the binary parses (the
// subcommand and every flag exist): the same arguments with --help exit 0.
func TestSystemdExecStart(t *testing.T) {
	for _, f := range units(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var exec0 string
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
				exec0 = v
			}
		}
		args := strings.Fields(exec0)
		if len(args) < 2 || args[0] != "/usr/bin/midonet" {
			t.Errorf("%s: ExecStart=%q, want /usr/bin/midonet <command> …", f, exec0)
			continue
		}
		out, err := exec.Command(testenv.Binary(t), append(args[1:], "--help")...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Usage:") {
			t.Errorf("%s: midonet %s --help: %v\n%s", f, strings.Join(args[1:], " "), err, out)
		}
	}
}
