// Package loadgen drives a running Neutron API over HTTP to measure it: it creates networks
// with subnets big enough for the run, creates N ports over them with C concurrent workers
// (one port or a bulk of ports per request) while recording each request's latency, then
// optionally runs a mix of creates, updates, deletes and lists in given proportions, times a
// walk of the port collection page by page (limit + marker), and times full port lists. A
// request's latency runs from sending it to the last byte of its answer, as the server's
// figures should: the client's own JSON encoding and decoding are not counted (decoding a
// page of 100 ports, ~100 KB, costs the client about as much as the server's answer).
// `midonet load` is its command line; BENCHMARKS.md quotes its JSON report.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config says what to run.
type Config struct {
	URL         string // API base URL, e.g. http://127.0.0.1:9696
	Concurrency int    // workers sending requests at once (default 8)
	Ports       int    // ports to create (default 1000)
	Bulk        int    // ports per create request (default 1: one port per POST; more: bulk creates)
	Networks    int    // networks the ports are spread over, round robin (default 1)
	ListRuns    int    // full GET /v2.0/ports to time afterwards (0: none)
	// Mix, when set, runs MixOps operations in these proportions after the creates (see
	// ParseMix): create adds a port, update renames one of the run's ports, delete deletes
	// one, list filters the ports on one port's device_id (the query Nova sends).
	Mix    Mix
	MixOps int // operations of the mix (default 1000)
	// Page, when > 0, times a walk of GET /v2.0/ports in pages of Page ports (limit and
	// marker), sorted by PageSort ("key" or "key:asc|desc", default id), after the mix.
	Page     int
	PageSort string
	MaxPages int    // stop a walk after this many pages (0: walk to the end)
	Postgres bool   // the server stores in PostgreSQL: the report adds tuning hints
	Token    string // X-Auth-Token (Keystone); empty: noauth headers
	Project  string // noauth X-Project-Id (default "loadgen")
	// Quota, when > 0, sets the project's network, subnet and port quotas to it instead of
	// lifting them: a project with finite quotas has its usage checked on every create.
	Quota   int
	Timeout time.Duration // per request (default 60s)
	Cleanup bool          // delete the ports and the network afterwards
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
	if c.Ports < 0 || c.Ports > maxPorts {
		return fmt.Errorf("loadgen: ports %d: must be from 0 to %d", c.Ports, maxPorts)
	}
	if c.Bulk == 0 {
		c.Bulk = 1
	}
	if c.Bulk < 0 || c.Bulk > maxBulk {
		return fmt.Errorf("loadgen: bulk %d: must be from 1 to %d ports per request", c.Bulk, maxBulk)
	}
	if c.Networks == 0 {
		c.Networks = 1
	}
	if c.Networks < 0 || c.Networks > maxNetworks {
		return fmt.Errorf("loadgen: networks %d: must be from 1 to %d", c.Networks, maxNetworks)
	}
	if c.ListRuns < 0 || c.MixOps < 0 || c.Page < 0 || c.MaxPages < 0 {
		return errors.New("loadgen: list runs, mix operations, page size and page count must not be negative")
	}
	if c.Page > maxPage {
		return fmt.Errorf("loadgen: page %d: must be at most %d", c.Page, maxPage)
	}
	if len(c.Mix) > 0 && c.MixOps == 0 {
		c.MixOps = 1000
	}
	if _, _, err := parseSort(c.PageSort); err != nil {
		return err
	}
	if c.Project == "" {
		c.Project = "loadgen"
	}
	if c.Quota < 0 {
		return fmt.Errorf("loadgen: quota %d: must be 0 (lift the quotas) or more", c.Quota)
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

// reply is what do measured of one request.
type reply struct {
	bytes int           // the size of the answer body
	took  time.Duration // from sending the request to the answer's last byte (the client's own JSON encoding and decoding are not counted)
}

// do sends one request; out (if not nil) receives the decoded JSON answer.
func (c *client) do(ctx context.Context, method, path string, body, out any) (reply, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.URL+path, r)
	if err != nil {
		return reply{}, err
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
	t0 := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{took: time.Since(t0)}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	rp := reply{bytes: len(b), took: time.Since(t0)}
	if err != nil {
		return rp, err
	}
	if resp.StatusCode/100 != 2 {
		ae := &apiError{Status: resp.StatusCode, Body: strings.TrimSpace(string(b))}
		var ne struct{ NeutronError struct{ Type string } }
		if json.Unmarshal(b, &ne) == nil {
			ae.Type = ne.NeutronError.Type
		}
		return rp, ae
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return rp, fmt.Errorf("loadgen: %s %s: bad JSON answer: %w", method, path, err)
		}
	}
	return rp, nil
}

// Bounds of the configuration.
const (
	maxPorts    = 10_000_000
	maxBulk     = 1000
	maxNetworks = 4096
	maxPage     = 10_000
)

// subnetFor returns an IPv4 CIDR under 10.0.0.0/8 with room for n ports plus the gateway,
// at least a /16.
func subnetFor(n int) (string, error) {
	c, err := subnetsFor(n, 1)
	if err != nil {
		return "", err
	}
	return c[0], nil
}

// subnetsFor returns one IPv4 CIDR per network under 10.0.0.0/8, each with room for its
// share of n ports (spread round robin) plus the growth of a mix; a /16 each when 10.0.0.0/8
// holds that many, smaller ones (down to what the share needs) otherwise.
func subnetsFor(n, networks int) ([]string, error) {
	if networks < 1 {
		networks = 1
	}
	share := (n + networks - 1) / networks
	need := uint64(share) + 3 // network, gateway, broadcast
	hostBits := bits.Len64(need - 1)
	netBits := bits.Len64(uint64(networks - 1)) // bits to number the networks
	hostBits = max(hostBits, min(16, 24-netBits))
	if hostBits+netBits > 24 {
		return nil, fmt.Errorf("loadgen: %d ports over %d networks do not fit in 10.0.0.0/8", n, networks)
	}
	out := make([]string, networks)
	for i := range out {
		base := uint32(10)<<24 | uint32(i)<<hostBits
		out[i] = fmt.Sprintf("%d.%d.%d.%d/%d", base>>24, base>>16&0xff, base>>8&0xff, base&0xff, 32-hostBits)
	}
	return out, nil
}

// Run performs the load run. On an error after the setup it still returns the report of what
// was measured.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	c := &client{cfg: &cfg, http: &http.Client{Transport: &http.Transport{
		MaxIdleConns: cfg.Concurrency * 2, MaxIdleConnsPerHost: cfg.Concurrency * 2, IdleConnTimeout: 90 * time.Second,
	}}}
	rep := &Report{URL: cfg.URL, Concurrency: cfg.Concurrency, Bulk: cfg.Bulk}

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
	limit := -1
	if cfg.Quota > 0 {
		limit = cfg.Quota
	}
	quota := map[string]any{"quota": map[string]any{"network": limit, "subnet": limit, "port": limit}}
	if _, err := c.do(ctx, http.MethodPut, "/v2.0/quotas/"+project, quota, nil); err != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("could not set the quotas of project %s to %d (%v); creates may hit OverQuota", project, limit, err))
	}

	growth := 0 // the mix's creates need room too
	if len(cfg.Mix) > 0 {
		growth = cfg.MixOps
	}
	cidrs, err := subnetsFor(cfg.Ports+growth, cfg.Networks)
	if err != nil {
		return nil, err
	}
	if cfg.Ports == 0 && len(cfg.Mix) == 0 {
		cidrs = nil // a read-only run (page walk, lists) creates nothing
	}
	name := fmt.Sprintf("loadgen-%d", time.Now().UnixNano())
	for i, cidr := range cidrs {
		var net struct{ Network struct{ ID string } }
		nn := name
		if len(cidrs) > 1 {
			nn = fmt.Sprintf("%s-net%d", name, i)
		}
		if _, err := c.do(ctx, http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": nn}}, &net); err != nil {
			return nil, fmt.Errorf("loadgen: create network %d: %w", i, err)
		}
		rep.NetworkIDs = append(rep.NetworkIDs, net.Network.ID)
		if _, err := c.do(ctx, http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{
			"network_id": net.Network.ID, "ip_version": 4, "cidr": cidr, "name": nn}}, nil); err != nil {
			return nil, fmt.Errorf("loadgen: create subnet %s: %w", cidr, err)
		}
		rep.CIDRs = append(rep.CIDRs, cidr)
	}

	r := &run{c: c, cfg: &cfg, name: name, nets: rep.NetworkIDs}
	before, _ := c.scrape(ctx) // no /metrics (another server): no server figures
	r.pool = createPorts(ctx, r, rep)
	if before != nil && rep.Create.OK > 0 {
		after, _ := c.scrape(ctx)
		rep.Server = serverReport(before, after, rep.Create.OK)
	}
	if len(cfg.Mix) > 0 && ctx.Err() == nil {
		rep.Mix = runMix(ctx, r)
	}
	if cfg.Page > 0 && ctx.Err() == nil {
		rep.PageWalk = walkPages(ctx, r)
	}
	for i := 0; i < cfg.ListRuns && ctx.Err() == nil; i++ {
		var list struct{ Ports []json.RawMessage }
		rp, err := c.do(ctx, http.MethodGet, "/v2.0/ports", nil, &list)
		if err != nil {
			rep.List.Errors = append(rep.List.Errors, err.Error())
			continue
		}
		rep.List.Latencies = append(rep.List.Latencies, rp.took)
		rep.List.Ports = len(list.Ports)
		rep.List.Bytes = rp.bytes
	}
	rep.List.Stats = summarize(rep.List.Latencies, 0)
	if cfg.Postgres {
		rep.Hints = postgresHints(&cfg, rep)
	}

	if cfg.Cleanup {
		cleanup(ctx, c, &cfg, r.pool.ids(), rep)
	}
	return rep, ctx.Err()
}

// run is what the workloads share: the client, the configuration, the run's networks and its
// live ports.
type run struct {
	c    *client
	cfg  *Config
	name string
	nets []string
	seq  atomic.Int64 // numbers new ports across the workloads
	pool *pool
}

// newPort is the body of one port: its network round robin, a name and a device_id of its own.
func (r *run) newPort() (map[string]any, livePort) {
	i := r.seq.Add(1) - 1
	lp := livePort{device: fmt.Sprintf("%s-vm%d", r.name, i)}
	return map[string]any{
		"network_id": r.nets[int(i)%len(r.nets)],
		"name":       fmt.Sprintf("%s-%d", r.name, i),
		"device_id":  lp.device,
	}, lp
}

// livePort is a port the run created and has not deleted.
type livePort struct {
	id, device string
}

// pool holds the run's live ports; a worker takes one out while it works on it, so that no
// two workers update and delete the same port.
type pool struct {
	mu    sync.Mutex
	ports []livePort
}

func (p *pool) put(lp livePort) {
	p.mu.Lock()
	p.ports = append(p.ports, lp)
	p.mu.Unlock()
}

// take removes a random port (ok false when none is left).
func (p *pool) take(rnd *rand.Rand) (livePort, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ports) == 0 {
		return livePort{}, false
	}
	i := rnd.IntN(len(p.ports))
	lp := p.ports[i]
	p.ports[i] = p.ports[len(p.ports)-1]
	p.ports = p.ports[:len(p.ports)-1]
	return lp, true
}

func (p *pool) ids() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, len(p.ports))
	for i, lp := range p.ports {
		out[i] = lp.id
	}
	return out
}

func (p *pool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ports)
}

// createPorts runs the creates (Bulk ports per request) and fills rep.Create; it returns the
// created ports.
func createPorts(ctx context.Context, r *run, rep *Report) *pool {
	cfg := r.cfg
	requests := (cfg.Ports + cfg.Bulk - 1) / cfg.Bulk
	jobs := make(chan int)
	type result struct {
		ports []livePort
		at    time.Time
		lat   time.Duration
		err   error
	}
	results := make(chan result, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				n := min(cfg.Bulk, cfg.Ports-i*cfg.Bulk)
				var body any
				var made []livePort
				if cfg.Bulk == 1 {
					p, lp := r.newPort()
					body, made = map[string]any{"port": p}, []livePort{lp}
				} else {
					ps := make([]any, n)
					for k := range ps {
						p, lp := r.newPort()
						ps[k], made = p, append(made, lp)
					}
					body = map[string]any{"ports": ps}
				}
				var out struct {
					Port  struct{ ID string }
					Ports []struct{ ID string }
				}
				t0 := time.Now()
				rp, err := r.c.do(ctx, http.MethodPost, "/v2.0/ports", body, &out)
				res := result{at: t0, lat: rp.took, err: err}
				if err == nil {
					if cfg.Bulk == 1 {
						out.Ports = append(out.Ports, out.Port)
					}
					for k := range made {
						if k < len(out.Ports) {
							made[k].id = out.Ports[k].ID
							res.ports = append(res.ports, made[k])
						}
					}
				}
				results <- res
			}
		}()
	}
	began := time.Now()
	go func() {
		defer close(jobs)
		for i := 0; i < requests; i++ {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	p := &pool{}
	var lat []time.Duration
	var slow []Sample
	errs := map[string]int{}
	var firstErr string
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	done := 0
	for {
		select {
		case res, ok := <-results:
			if !ok {
				rc := &rep.Create
				rc.Elapsed = time.Since(began)
				rc.OK = len(p.ports)
				rc.Failed = errs
				rc.FirstError = firstErr
				rc.Stats = summarize(lat, rc.Elapsed)
				if cfg.Bulk > 1 && rc.Elapsed > 0 {
					rc.PortsPerSecond = float64(rc.OK) / rc.Elapsed.Seconds()
				} else {
					rc.PortsPerSecond = rc.Throughput
				}
				rc.Slowest = slow
				return p
			}
			done++
			lat = append(lat, res.lat)
			slow = keepSlowest(slow, Sample{At: res.at, Latency: res.lat}, 5)
			if res.err != nil {
				errs[kind(res.err)]++
				if firstErr == "" {
					firstErr = res.err.Error()
				}
				continue
			}
			p.ports = append(p.ports, res.ports...)
		case <-tick.C:
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "loadgen: %d/%d create requests done, %d ports created after %v\n",
					done, requests, len(p.ports), time.Since(began).Round(time.Second))
			}
		}
	}
}

// cleanup deletes the run's live ports with the same number of workers, then its networks.
func cleanup(ctx context.Context, c *client, cfg *Config, ids []string, rep *Report) {
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
	for _, netID := range rep.NetworkIDs {
		if _, err := c.do(ctx, http.MethodDelete, "/v2.0/networks/"+netID, nil, nil); err != nil {
			rep.Warnings = append(rep.Warnings, "cleanup: delete network "+netID+": "+err.Error())
		}
	}
}
