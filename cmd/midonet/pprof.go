package main

import (
	"fmt"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"runtime/pprof"
	"time"
)

// startPprof serves Go's runtime profiles (heap, CPU, goroutines) on MIDONET_PPROF_ADDR when
// it is set, for measuring (BENCHMARKS.md): e.g. MIDONET_PPROF_ADDR=127.0.0.1:6060, then
// `go tool pprof http://127.0.0.1:6060/debug/pprof/heap`. Only a loopback address is
// accepted: the profiles show memory contents' shapes and are never for the network.
func startPprof() error {
	addr := os.Getenv("MIDONET_PPROF_ADDR")
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("MIDONET_PPROF_ADDR %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("MIDONET_PPROF_ADDR %q: only a loopback address may serve profiles", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("MIDONET_PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", httppprof.Index)
	mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// startCPUProfile writes a CPU profile of the whole run to the file MIDONET_CPUPROFILE names,
// when it is set, for measuring a one-shot command from its first to its last instruction
// (BENCHMARKS.md: `MIDONET_CPUPROFILE=verify.cpu midonet db-manage … verify`, then
// `go tool pprof -top midonet verify.cpu`). The returned function stops the profile and
// closes the file; main calls it before it exits.
func startCPUProfile() (stop func(), err error) {
	path := os.Getenv("MIDONET_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("MIDONET_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("MIDONET_CPUPROFILE: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "MIDONET_CPUPROFILE:", err)
		}
	}, nil
}
