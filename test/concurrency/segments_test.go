package concurrency

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/midonet-go/midonet/test/testenv"
)

// TestConcurrentSegmentAllocation: 24 simultaneous project-network creates split across two
// API servers on one PostgreSQL or MariaDB database, with 10 VNIs to hand out: exactly 10
// networks are made, no two with one VNI, all in the range, and the other 14 are refused
// 503 NoNetworkAvailable (Neutron's answer when the ranges are used up).
func TestConcurrentSegmentAllocation(t *testing.T) {
	const conf = "[DEFAULT]\nauth_strategy = noauth\n[ml2]\ntenant_network_types = vxlan\n[ml2_type_vxlan]\nvni_ranges = 1:10\n"
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			o := e.opts
			o.Config = conf
			a := testenv.StartServer(t, o)
			b := testenv.StartServer(t, testenv.Options{Config: "[database]\nconnection = " + a.DSN + "\n" + conf})
			servers := []*testenv.Server{a, b}
			const n = 24
			answers := make([]answer, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					answers[i] = call(http.MethodPost, servers[i%2].URL+"/v2.0/networks", map[string]any{"network": map[string]any{
						"name": fmt.Sprintf("n-%d", i), "tenant_id": "race"}})
				}()
			}
			close(start)
			wg.Wait()
			vnis := map[int]bool{}
			exhausted := 0
			for i, ans := range answers {
				switch {
				case ans.err == nil && ans.status == http.StatusCreated:
					var out struct {
						Network struct {
							VNI  int    `json:"provider:segmentation_id"`
							Type string `json:"provider:network_type"`
						} `json:"network"`
					}
					if err := json.Unmarshal(ans.body, &out); err != nil {
						t.Fatalf("create %d: %v", i, err)
					}
					if vnis[out.Network.VNI] || out.Network.VNI < 1 || out.Network.VNI > 10 || out.Network.Type != "vxlan" {
						t.Errorf("create %d: %s network with VNI %d (given before: %v)", i, out.Network.Type, out.Network.VNI, vnis[out.Network.VNI])
					}
					vnis[out.Network.VNI] = true
				case ans.err == nil && ans.status == http.StatusServiceUnavailable:
					if typ, _ := neutronError(ans.body); typ != "NoNetworkAvailable" {
						t.Errorf("create %d: 503 %s", i, ans.body)
					}
					exhausted++
				default:
					t.Errorf("create %d: %d %v %s", i, ans.status, ans.err, ans.body)
				}
			}
			if len(vnis) != 10 || exhausted != n-10 {
				t.Errorf("%d networks with distinct VNIs, %d refused; want 10 and %d", len(vnis), exhausted, n-10)
			}
		})
	}
}
