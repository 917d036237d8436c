package ports

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// narrow makes Free draw from [lo, hi) with lock files in a directory of the test's own.
func narrow(t *testing.T, lo, hi int, dir string) {
	oldLow, oldHigh, oldDir := low, high, lockDir
	low, high, lockDir = lo, hi, dir
	t.Cleanup(func() { low, high, lockDir = oldLow, oldHigh, oldDir })
}

// drawAll draws until Free fails and returns the ports it handed out.
func drawAll(t *testing.T) []int {
	var got []int
	for range high - low + 1 {
		p, err := Free()
		if err != nil {
			return got
		}
		if p < low || p >= high {
			t.Fatalf("Free gave %d, outside [%d, %d)", p, low, high)
		}
		got = append(got, p)
	}
	t.Fatalf("Free gave more ports than [%d, %d) holds: %v", low, high, got)
	return nil
}

func TestFreeNeverGivesAPortTwice(t *testing.T) {
	narrow(t, 31900, 31908, t.TempDir())
	got := drawAll(t)
	if len(got) == 0 {
		t.Fatal("no port free between 31900 and 31908")
	}
	sorted := slices.Clone(got)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(got) {
		t.Fatalf("Free handed out a port twice: %v", got)
	}
}

func TestFreeSkipsPortsInUse(t *testing.T) {
	// Something that is not a test's draw listens on the only port of the range.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	narrow(t, port, port+1, t.TempDir())
	if p, err := Free(); err == nil {
		t.Fatalf("Free gave %d, which a listener holds", p)
	}
	l.Close()
	if p, err := Free(); err != nil || p != port {
		t.Fatalf("Free = %d, %v once the listener closed, want %d", p, err, port)
	}
}

// TestFreeReservedAcrossProcesses: ports another test process drew are not handed out while
// it lives, and are once it was killed.
func TestFreeReservedAcrossProcesses(t *testing.T) {
	if os.Getenv("PORTS_CHILD_DIR") != "" {
		return // the child's work is in TestMain
	}
	dir := t.TempDir()
	narrow(t, 31920, 31924, dir)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "PORTS_CHILD_DIR="+dir)
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the child's ports: %v", err)
	}
	var childPorts []int
	for _, f := range strings.Fields(line) {
		p, _ := strconv.Atoi(f)
		childPorts = append(childPorts, p)
	}
	if len(childPorts) == 0 {
		t.Fatalf("the child drew no port: %q", line)
	}
	if p, err := Free(); err == nil {
		t.Fatalf("Free gave %d while another process holds %v", p, childPorts)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	got := drawAll(t)
	slices.Sort(got)
	if !slices.Equal(got, childPorts) {
		t.Fatalf("after the child died Free gave %v, want the child's %v", got, childPorts)
	}
}

func TestMain(m *testing.M) {
	if dir := os.Getenv("PORTS_CHILD_DIR"); dir != "" {
		// The child of TestFreeReservedAcrossProcesses: draw every port of its range, print
		// them, and hold them until killed.
		low, high, lockDir = 31920, 31924, dir
		var got []string
		for range high - low + 1 {
			p, err := Free()
			if err != nil {
				break
			}
			got = append(got, strconv.Itoa(p))
		}
		slices.Sort(got)
		os.Stdout.WriteString(strings.Join(got, " ") + "\n")
		os.Stdin.Read(make([]byte, 1))
		os.Exit(0)
	}
	os.Exit(m.Run())
}
