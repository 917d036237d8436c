package api_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPortCreateClients creates ports from 1 and from 8 concurrent clients on one
// network with a /16 subnet, through the in-process handler (no MidoNet backend): what
// SQLite's group commit changes. ns/op is wall time per create over all clients (8 clients
// that share commits show a lower ns/op than 1); p50/p99 are per request. Pin -benchtime
// (e.g. 2000x): creates get slower as the subnet fills.
func BenchmarkPortCreateClients(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			s := newBenchServer(b)
			net := benchNetwork(b, s, "10.0.0.0/16")
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						body := []byte(`{"port": {"network_id": "` + net + `", "name": "p` + fmt.Sprint(i) + `"}}`)
						t0 := time.Now()
						w := s.do(http.MethodPost, "/v2.0/ports", body)
						lat[i] = time.Since(t0)
						if w.Code != http.StatusCreated {
							b.Errorf("create port %d: %d %s", i, w.Code, w.Body.String())
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			reportLatencies(b, lat)
		})
	}
}
