package ui_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// scalePorts is how many ports TestThousandPorts draws.
const scalePorts = 1000

// TestThousandPorts measures the page at a thousand ports: four networks of 250 VM ports
// behind one router. It logs how long the first load takes (the API lists, then layout and
// drawing until the canvas shows them) and how long a port created through the API takes to
// reach the map, and fails if either is long enough to call the page frozen.
// BENCHMARKS.md quotes its figures.
func TestThousandPorts(t *testing.T) {
	srv := testenvServer(t, "[DEFAULT]\nauth_strategy = noauth\n\n[quotas]\nquota_port = -1\n")
	c := &client{t: t, url: srv.URL}
	router := id(c.create("routers", "router", map[string]any{"name": "r"}))
	const nets = 4
	netIDs := make([]string, nets)
	for i := range nets {
		netIDs[i] = id(c.create("networks", "network", map[string]any{"name": fmt.Sprintf("net%d", i)}))
		sub := id(c.create("subnets", "subnet", map[string]any{"network_id": netIDs[i], "cidr": fmt.Sprintf("10.%d.0.0/22", i), "ip_version": 4}))
		c.call("PUT", "/v2.0/routers/"+router+"/add_router_interface", map[string]any{"subnet_id": sub})
	}
	t0 := time.Now()
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				c.create("ports", "port", map[string]any{"name": fmt.Sprintf("vm-%04d", i), "network_id": netIDs[i%nets],
					"device_owner": "compute:nova"})
			}
		}()
	}
	for i := range scalePorts - nets { // the router's interfaces are ports too
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("created %d ports in %v", scalePorts-nets, time.Since(t0).Round(time.Millisecond))

	b := newBrowser(t)
	b.open(srv.URL)
	st := b.state()
	if st.Counts["ports"] != scalePorts || st.LastRender == nil || st.LastLoad == nil {
		t.Fatalf("page state %+v; want %d ports loaded and drawn", st, scalePorts)
	}
	load, render := st.LastLoad.TotalMS, st.LastRender.MS
	r := st.LastRender
	t.Logf("first load at %d ports: %.0f ms (API lists %.0f ms; elements %.0f, layout %.0f, graph update %.0f, "+
		"first frames %.0f: %.0f ms to draw; %d nodes, %d edges)",
		scalePorts, load, st.LastLoad.FetchMS, r.BuildMS, r.LayoutMS, r.ApplyMS, r.DrawMS, render, r.Nodes, r.Edges)
	b.shot("thousand-ports")

	renders := st.Renders
	t1 := time.Now()
	p := id(c.create("ports", "port", map[string]any{"name": "one-more", "network_id": netIDs[0], "device_owner": "compute:nova"}))
	b.waitFor("the new port", `window.midonetUI.snapshot().nodes.some(n => n.id === 'port:`+p+`')`, 10*time.Second)
	live := time.Since(t1)
	st = b.state()
	r = st.LastRender
	t.Logf("live update at %d ports: on the map %v after the POST was sent (its render %.0f ms: elements %.0f, layout %.0f, "+
		"graph update %.0f, frames %.0f; %d renders)", scalePorts+1, live.Round(time.Millisecond), r.MS, r.BuildMS, r.LayoutMS,
		r.ApplyMS, r.DrawMS, st.Renders-renders)
	// Zoomed in on one port, the ports in view show their labels.
	b.eval(`(() => { const s = document.getElementById('search'); s.value = 'vm-0500'; s.dispatchEvent(new Event('input')); return true })()`, nil)
	b.waitFor("the search", `document.getElementById('search-count').textContent === '1 match'`, 5*time.Second)
	b.waitFor("labels in view", `window.midonetUI.snapshot().nodes.filter(n => n.classes.split(' ').includes('labelled')).length > 10`, 5*time.Second)
	b.shot("thousand-ports-zoomed")
	if load > 10000 || live > 5*time.Second {
		t.Errorf("at %d ports the page took %.0f ms to load and %v to show a new port: too slow", scalePorts, load, live)
	}
}
