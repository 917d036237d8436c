package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildDir  string // temporary directory holding the built binary
)

// ModuleRoot returns the directory of the go.mod that encloses the current
// working directory (a test runs in its package directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("testenv: working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Binary builds cmd/midonet once per test binary and returns the path of the
// executable. A failed build fails every test that asks for the binary, with
// the compiler's output. MIDONET_TEST_BINARY names a prebuilt binary to use
// instead.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { buildPath, buildErr = build() })
	if buildErr != nil {
		t.Fatalf("%v", buildErr)
	}
	return buildPath
}

func build() (string, error) {
	if p := os.Getenv("MIDONET_TEST_BINARY"); p != "" {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("testenv: MIDONET_TEST_BINARY: %w", err)
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("testenv: MIDONET_TEST_BINARY: %w", err)
		}
		return abs, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		if goroot := os.Getenv("GOROOT"); goroot != "" {
			goTool = filepath.Join(goroot, "bin", "go")
		} else {
			return "", fmt.Errorf("testenv: the go command is not on PATH: %w", err)
		}
	}
	dir, err := os.MkdirTemp("", "midonet-bin-")
	if err != nil {
		return "", fmt.Errorf("testenv: %w", err)
	}
	buildDir = dir
	out := filepath.Join(dir, "midonet")
	cmd := exec.Command(goTool, "build", "-o", out, "./cmd/midonet")
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("testenv: go build ./cmd/midonet in %s: %v\n%s", root, err, msg)
	}
	return out, nil
}

// removeBinary deletes the binary built by Binary, if any.
func removeBinary() {
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
}
