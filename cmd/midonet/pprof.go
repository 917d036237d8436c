package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
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
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return nil
}
