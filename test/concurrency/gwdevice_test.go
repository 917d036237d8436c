package concurrency

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentGatewayDeviceUniqueness: 16 simultaneous creates of hw_vtep gateway devices
// with one management IP, split across two API servers on one PostgreSQL or MariaDB
// database: exactly one is created, the others are refused 409 GatewayDeviceParamDuplicate
// (the uniqueness check runs under the journal's order lock on both engines).
func TestConcurrentGatewayDeviceUniqueness(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			servers := twoServers(t, e.opts)
			const n = 16
			answers := make([]answer, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = call(http.MethodPost, servers[i%2].URL+"/v2.0/gw/gateway_devices", map[string]any{"gateway_device": map[string]any{
						"name": fmt.Sprintf("gw-%d", i), "type": "hw_vtep", "management_ip": "192.0.2.77", "management_port": 6632}})
				}()
			}
			wg.Wait()
			created, duplicates := 0, 0
			for i, a := range answers {
				var body struct {
					NeutronError struct{ Type string }
				}
				_ = json.Unmarshal(a.body, &body)
				switch {
				case a.err == nil && a.status == http.StatusCreated:
					created++
				case a.err == nil && a.status == http.StatusConflict && body.NeutronError.Type == "GatewayDeviceParamDuplicate":
					duplicates++
				default:
					t.Errorf("create %d: %d %v %s", i, a.status, a.err, a.body)
				}
			}
			if created != 1 || duplicates != n-1 {
				t.Errorf("%d created, %d refused as duplicates; want 1 and %d", created, duplicates, n-1)
			}
			for i, s := range servers {
				a := call(http.MethodGet, s.URL+"/v2.0/gw/gateway_devices?management_ip=192.0.2.77", nil)
				var list struct {
					Devices []map[string]any `json:"gateway_devices"`
				}
				if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &list) != nil || len(list.Devices) != 1 {
					t.Errorf("server %d lists %d devices with the address (%d %v): want 1", i, len(list.Devices), a.status, a.err)
				}
			}
		})
	}
}
