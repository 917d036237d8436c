// Package loadgen drives a running Neutron API over HTTP to measure it: it creates a network
// with a subnet big enough for the run, creates N ports with C concurrent workers while
// recording each request's latency, then times full port lists. `midonet load` is its
// command line; BENCHMARKS.md records what it measured.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Config says what to run.
type Config struct {
	URL         string        // API base URL, e.g. http://127.0.0.1:9696
	Concurrency int           // workers creating ports at once (default 8)
	Ports       int           // ports to create (default 1000)
	ListRuns    int           // full GET /v2.0/ports to time afterwards (0: none)
	Token       string        // X-Auth-Token (Keystone); empty: noauth headers
	Project     string        // noauth X-Project-Id (default "loadgen")
	Timeout     time.Duration // per request (default 60s)
	Cleanup     bool          // delete the ports and the network afterwards
	// Progress, when set, receives a line now and then while the run goes on.
	Progress io.Writer
}

func (c *Config) defaults() error {
	c.URL = strings.TrimRight(c.URL, "/")
	if c.URL == "" {
		return errors.New("loadgen: no URL")
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.Ports < 0 {
		return fmt.Errorf("loadgen: ports %d < 0", c.Ports)
	}
	if c.Project == "" {
		c.Project = "loadgen"
	}
	if c.Timeout <= 0 {
		c.Timeout = 60 * time.Second
	}
	return nil
}

// client is a small Neutron REST client.
type client struct {
	cfg  *Config
	http *http.Client
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Type   string
	Body   string
}

func (e *apiError) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.Type, e.Body)
	}
	return fmt.Sprintf("%d: %s", e.Status, e.Body)
}

// kind names an error for the report: "409 IpAddressGenerationFailure", "transport", ….
func kind(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.Type != "" {
			return fmt.Sprintf("%d %s", ae.Status, ae.Type)
		}
		return fmt.Sprint(ae.Status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "transport"
}

// do sends one request; out (if not nil) receives the decoded JSON answer. It returns the
// size of the answer body.
func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, r)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cfg.Token != "" {
		req.Header.Set("X-Auth-Token", c.cfg.Token)
	} else {
		req.Header.Set("X-Project-Id", c.cfg.Project)
		req.Header.Set("X-User-Id", "loadgen")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return len(b), err
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{Status: resp.StatusCode, Body: strings.TrimSpace(string(b))}
		var ne struct{ NeutronError struct{ Type string } }
		if json.Unmarshal(b, &ne) == nil {
			ae.Type = ne.NeutronError.Type
		}
		return len(b), ae
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return len(b), fmt.Errorf("loadgen: %s %s: bad JSON answer: %w", method, path, err)
		}
	}
	return len(b), nil
}

// subnetFor returns an IPv4 CIDR under 10.0.0.0/8 with room for n ports plus the gateway,
// at least a /16.
func subnetFor(n int) (string, error) {
	need := uint64(n) + 3 // network, gateway, broadcast
	hostBits := bits.Len64(need - 1)
	if hostBits < 16 {
		hostBits = 16
	}
	if hostBits > 24 {
		return "", fmt.Errorf("loadgen: %d ports do not fit in 10.0.0.0/8", n)
	}
	return fmt.Sprintf("10.0.0.0/%d", 32-hostBits), nil
}

// Run performs the load run.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	c := &client{cfg: &cfg, http: &http.Client{Transport: &http.Transport{
		MaxIdleConns: cfg.Concurrency * 2, MaxIdleConnsPerHost: cfg.Concurrency * 2, IdleConnTimeout: 90 * time.Second,
	}}}
	rep := &Report{URL: cfg.URL, Concurrency: cfg.Concurrency}

	// The caller's project, and quotas out of the way when allowed (a warning otherwise).
	var tenant struct {
		Tenant struct {
			TenantID string `json:"tenant_id"`
		}
	}
	if _, err := c.do(ctx, http.MethodGet, "/v2.0/quotas/tenant", nil, &tenant); err != nil {
		return nil, fmt.Errorf("loadgen: who am I (GET /v2.0/quotas/tenant): %w", err)
	}
	project := tenant.Tenant.TenantID
	if project == "" {
		project = cfg.Project
	}
	rep.Project = project
	quota := map[string]any{"quota": map[string]any{"network": -1, "subnet": -1, "port": -1}}
	if _, err := c.do(ctx, http.MethodPut, "/v2.0/quotas/"+project, quota, nil); err != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("could not lift the quotas of project %s (%v); creates may hit OverQuota", project, err))
	}

	cidr, err := subnetFor(cfg.Ports)
	if err != nil {
		return nil, err
	}
	var net struct{ Network struct{ ID string } }
	name := fmt.Sprintf("loadgen-%d", time.Now().UnixNano())
	if _, err := c.do(ctx, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": name}}, &net); err != nil {
		return nil, fmt.Errorf("loadgen: create network: %w", err)
	}
	rep.NetworkID = net.Network.ID
	if _, err := c.do(ctx, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
		"network_id": net.Network.ID, "ip_version": 4, "cidr": cidr, "name": name}}, nil); err != nil {
		return nil, fmt.Errorf("loadgen: create subnet %s: %w", cidr, err)
	}
	rep.CIDR = cidr

	ids := createPorts(ctx, c, &cfg, net.Network.ID, name, rep)

	for i := 0; i < cfg.ListRuns; i++ {
		var list struct{ Ports []json.RawMessage }
		t0 := time.Now()
		n, err := c.do(ctx, http.MethodGet, "/v2.0/ports", nil, &list)
		d := time.Since(t0)
		if err != nil {
			rep.List.Errors = append(rep.List.Errors, err.Error())
			continue
		}
		rep.List.Latencies = append(rep.List.Latencies, d)
		rep.List.Ports = len(list.Ports)
		rep.List.Bytes = n
	}
	rep.List.Stats = summarize(rep.List.Latencies, 0)

	if cfg.Cleanup {
		cleanup(ctx, c, &cfg, ids, net.Network.ID, rep)
	}
	return rep, ctx.Err()
}

// createPorts runs the creates and fills rep.Create; it returns the created ports' ids.
func createPorts(ctx context.Context, c *client, cfg *Config, netID, name string, rep *Report) []string {
	jobs := make(chan int)
	type result struct {
		id  string
		at  time.Time
		lat time.Duration
		err error
	}
	results := make(chan result, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var out struct{ Port struct{ ID string } }
				body := map[string]any{"port": map[string]any{"network_id": netID, "name": fmt.Sprintf("%s-%d", name, i)}}
				t0 := time.Now()
				_, err := c.do(ctx, http.MethodPost, "/v2.0/ports", body, &out)
				results <- result{id: out.Port.ID, at: t0, lat: time.Since(t0), err: err}
			}
		}()
	}
	began := time.Now()
	go func() {
		defer close(jobs)
		for i := 0; i < cfg.Ports; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var ids []string
	var lat []time.Duration
	var slow []Sample
	errs := map[string]int{}
	var firstErr string
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	done := 0
	for {
		select {
		case r, ok := <-results:
			if !ok {
				rep.Create.Elapsed = time.Since(began)
				rep.Create.OK = len(ids)
				rep.Create.Failed = errs
				rep.Create.FirstError = firstErr
				rep.Create.Stats = summarize(lat, rep.Create.Elapsed)
				rep.Create.Slowest = slow
				return ids
			}
			done++
			lat = append(lat, r.lat)
			slow = keepSlowest(slow, Sample{At: r.at, Latency: r.lat}, 5)
			if r.err != nil {
				errs[kind(r.err)]++
				if firstErr == "" {
					firstErr = r.err.Error()
				}
				continue
			}
			ids = append(ids, r.id)
		case <-tick.C:
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "loadgen: %d/%d port creates done (%d failed) after %v\n",
					done, cfg.Ports, done-len(ids), time.Since(began).Round(time.Second))
			}
		}
	}
}

// cleanup deletes the created ports with the same number of workers, then the network.
func cleanup(ctx context.Context, c *client, cfg *Config, ids []string, netID string, rep *Report) {
	jobs := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if _, err := c.do(ctx, http.MethodDelete, "/v2.0/ports/"+id, nil, nil); err != nil {
					mu.Lock()
					rep.Warnings = append(rep.Warnings, "cleanup: delete port "+id+": "+err.Error())
					mu.Unlock()
				}
			}
		}()
	}
	for _, id := range ids {
		jobs <- id
	}
	close(jobs)
	wg.Wait()
	if _, err := c.do(ctx, http.MethodDelete, "/v2.0/networks/"+netID, nil, nil); err != nil {
		rep.Warnings = append(rep.Warnings, "cleanup: delete network "+netID+": "+err.Error())
	}
}
