package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// runMix runs cfg.MixOps operations in the mix's proportions with cfg.Concurrency workers.
// Update and delete work on a port the run created and no other worker holds; when none is
// left, the operation is counted under "skipped" and not sent.
func runMix(ctx context.Context, r *run) *MixReport {
	cfg := r.cfg
	sched := cfg.Mix.Schedule(cfg.MixOps)
	jobs := make(chan string)
	type result struct {
		op  string
		lat time.Duration
		err error
	}
	results := make(chan result, cfg.Concurrency)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		rnd := rand.New(rand.NewPCG(uint64(w)+1, 0x6c6f616467656e))
		go func() {
			defer wg.Done()
			for op := range jobs {
				lat, sent, err := r.mixOp(ctx, rnd, op)
				if !sent {
					op = "skipped"
				}
				results <- result{op: op, lat: lat, err: err}
			}
		}()
	}
	began := time.Now()
	go func() {
		defer close(jobs)
		for _, op := range sched {
			select {
			case jobs <- op:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	lat := map[string][]time.Duration{}
	mr := &MixReport{Mix: cfg.Mix.String(), Operations: map[string]*OpReport{}}
	for res := range results {
		if res.op == "skipped" {
			mr.Skipped++
			continue
		}
		o := mr.Operations[res.op]
		if o == nil {
			o = &OpReport{}
			mr.Operations[res.op] = o
		}
		lat[res.op] = append(lat[res.op], res.lat)
		if res.err != nil {
			if o.Failed == nil {
				o.Failed = map[string]int{}
			}
			o.Failed[kind(res.err)]++
			if o.FirstError == "" {
				o.FirstError = res.err.Error()
			}
			continue
		}
		o.OK++
	}
	mr.Elapsed = time.Since(began)
	var all []time.Duration
	for op, l := range lat {
		mr.Operations[op].Stats = summarize(l, mr.Elapsed)
		all = append(all, l...)
	}
	mr.Stats = summarize(all, mr.Elapsed)
	return mr
}

// mixOp sends one operation of a mix; sent is false when there was no port to work on.
func (r *run) mixOp(ctx context.Context, rnd *rand.Rand, op string) (lat time.Duration, sent bool, err error) {
	switch op {
	case "create":
		p, lp := r.newPort()
		var out struct{ Port struct{ ID string } }
		var rp reply
		rp, err = r.c.do(ctx, http.MethodPost, "/v2.0/ports", map[string]any{"port": p}, &out)
		lat = rp.took
		if err == nil {
			lp.id = out.Port.ID
			r.pool.put(lp)
		}
		return lat, true, err
	case "update":
		lp, ok := r.pool.take(rnd)
		if !ok {
			return 0, false, nil
		}
		body := map[string]any{"port": map[string]any{"name": fmt.Sprintf("%s-u%d", r.name, rnd.Uint32())}}
		var rp reply
		rp, err = r.c.do(ctx, http.MethodPut, "/v2.0/ports/"+lp.id, body, nil)
		lat = rp.took
		r.pool.put(lp)
		return lat, true, err
	case "delete":
		lp, ok := r.pool.take(rnd)
		if !ok {
			return 0, false, nil
		}
		var rp reply
		rp, err = r.c.do(ctx, http.MethodDelete, "/v2.0/ports/"+lp.id, nil, nil)
		lat = rp.took
		if err != nil {
			r.pool.put(lp)
		}
		return lat, true, err
	default: // list
		lp, ok := r.pool.take(rnd)
		if !ok {
			return 0, false, nil
		}
		var out struct{ Ports []json.RawMessage }
		var rp reply
		rp, err = r.c.do(ctx, http.MethodGet, "/v2.0/ports?device_id="+url.QueryEscape(lp.device), nil, &out)
		lat = rp.took
		r.pool.put(lp)
		if err == nil && len(out.Ports) != 1 {
			err = fmt.Errorf("loadgen: GET /v2.0/ports?device_id=%s listed %d ports, want 1", lp.device, len(out.Ports))
		}
		return lat, true, err
	}
}

// parseSort reads --page-sort: "", "key", "key:asc" or "key:desc".
func parseSort(s string) (key, dir string, err error) {
	if s == "" {
		return "", "", nil
	}
	key, dir, _ = strings.Cut(s, ":")
	if key == "" || len(key) > 64 || strings.ContainsAny(key, "&=?# ") {
		return "", "", fmt.Errorf("loadgen: page sort %q: want key or key:asc or key:desc", s)
	}
	switch dir {
	case "":
		dir = "asc"
	case "asc", "desc":
	default:
		return "", "", fmt.Errorf("loadgen: page sort %q: direction must be asc or desc", s)
	}
	return key, dir, nil
}

// walkPages walks GET /v2.0/ports in pages of cfg.Page (limit, then marker = the last port of
// the page before) until a page comes back short or cfg.MaxPages pages were read.
func walkPages(ctx context.Context, r *run) *PageReport {
	cfg := r.cfg
	key, dir, _ := parseSort(cfg.PageSort)
	pr := &PageReport{PageSize: cfg.Page, SortKey: key, SortDir: dir}
	q := url.Values{}
	q.Set("limit", fmt.Sprint(cfg.Page))
	if key != "" {
		q.Set("sort_key", key)
		q.Set("sort_dir", dir)
	}
	var lat []time.Duration
	seen := map[string]bool{}
	began := time.Now()
	for cfg.MaxPages == 0 || pr.Pages < cfg.MaxPages {
		if ctx.Err() != nil {
			break
		}
		var out struct {
			Ports []struct {
				ID string `json:"id"`
			} `json:"ports"`
		}
		rp, err := r.c.do(ctx, http.MethodGet, "/v2.0/ports?"+q.Encode(), nil, &out)
		lat = append(lat, rp.took)
		if err != nil {
			pr.Error = err.Error()
			break
		}
		pr.Pages++
		for _, p := range out.Ports {
			if seen[p.ID] {
				pr.Repeated++
			}
			seen[p.ID] = true
		}
		pr.Ports += len(out.Ports)
		if len(out.Ports) < cfg.Page {
			pr.Complete = true
			break
		}
		q.Set("marker", out.Ports[len(out.Ports)-1].ID)
		if cfg.Progress != nil && pr.Pages%100 == 0 {
			fmt.Fprintf(cfg.Progress, "loadgen: %d pages of %d walked after %v\n", pr.Pages, cfg.Page, time.Since(began).Round(time.Second))
		}
	}
	pr.Elapsed = time.Since(began)
	pr.Stats = summarize(lat, pr.Elapsed)
	return pr
}
