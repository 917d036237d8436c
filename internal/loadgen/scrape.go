package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The server-side figures of a run come from a midonet server's /metrics, read before and
// after the port creates: its CPU and its commit → topology applied histogram. Another
// server (neutron-server) has no such page and the report simply goes without them.
const (
	metricCPU     = "process_cpu_seconds_total"
	metricApplied = "midonet_commit_to_applied_seconds"
	metricStages  = "midonet_commit_to_applied_stage_seconds"
)

// ServerReport is what the server counted itself while the run's ports were created.
type ServerReport struct {
	CPUSeconds float64       `json:"cpu_seconds"`     // user + system CPU of the server process
	CPUPerPort time.Duration `json:"cpu_per_port_ns"` // CPUSeconds over the ports created
	// CommitToApplied is the time from each write's database commit to its topology in
	// the NSDB, interpolated in the histogram's buckets as Prometheus' histogram_quantile
	// does (so within a bucket's width of the truth).
	CommitToApplied *Quantiles `json:"commit_to_applied,omitempty"`
	// CommitToAppliedStages splits CommitToApplied by stage (midonet's
	// midonet_commit_to_applied_stage_seconds: pickup, queue, translate, order, etcd, answer), for a
	// server whose cluster applies in its own process; each stage's quantiles are its own
	// (the p99s of the stages do not add up to the p99 of the whole).
	CommitToAppliedStages map[string]*Quantiles `json:"commit_to_applied_stages,omitempty"`
}

// Quantiles of a histogram.
type Quantiles struct {
	Count int           `json:"count"`
	P50   time.Duration `json:"p50_ns"`
	P90   time.Duration `json:"p90_ns"`
	P99   time.Duration `json:"p99_ns"`
}

// histogram is one cumulative Prometheus histogram: counts[i] observations ≤ bounds[i].
type histogram struct {
	bounds []float64
	counts []float64
}

// serverSample is what /metrics said at one moment.
type serverSample struct {
	cpu     float64
	hasCPU  bool
	applied histogram
	stages  map[string]histogram // by the label stage
}

// scrape reads the server's /metrics; an error means the server has none to give.
func (c *client) scrape(ctx context.Context) (*serverSample, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.URL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loadgen: GET /metrics: status %d", resp.StatusCode)
	}
	return parseMetrics(io.LimitReader(resp.Body, 16<<20))
}

// parseMetrics picks the run's figures out of Prometheus' text format.
func parseMetrics(r io.Reader) (*serverSample, error) {
	s := &serverSample{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := splitSample(line)
		if !ok {
			continue
		}
		switch {
		case name == metricCPU:
			s.cpu, s.hasCPU = value, true
		case strings.HasPrefix(name, metricApplied+"_bucket{"):
			le, ok := labelValue(name, "le")
			if !ok {
				continue
			}
			bound, err := strconv.ParseFloat(le, 64)
			if err != nil {
				continue
			}
			s.applied.bounds = append(s.applied.bounds, bound)
			s.applied.counts = append(s.applied.counts, value)
		case strings.HasPrefix(name, metricStages+"_bucket{"):
			stage, ok1 := labelValue(name, "stage")
			le, ok2 := labelValue(name, "le")
			if !ok1 || !ok2 {
				continue
			}
			bound, err := strconv.ParseFloat(le, 64)
			if err != nil {
				continue
			}
			if s.stages == nil {
				s.stages = map[string]histogram{}
			}
			h := s.stages[stage]
			h.bounds = append(h.bounds, bound)
			h.counts = append(h.counts, value)
			s.stages[stage] = h
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("loadgen: read /metrics: %w", err)
	}
	if !s.hasCPU && len(s.applied.bounds) == 0 {
		return nil, fmt.Errorf("loadgen: /metrics has neither %s nor %s", metricCPU, metricApplied)
	}
	return s, nil
}

// splitSample splits "name{labels} value [timestamp]".
func splitSample(line string) (string, float64, bool) {
	end := strings.LastIndexByte(line, '}')
	rest := line
	if end >= 0 {
		rest = line[end+1:]
	} else {
		end = strings.IndexByte(line, ' ') - 1
		if end < 0 {
			return "", 0, false
		}
		rest = line[end+1:]
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return "", 0, false
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return "", 0, false
	}
	return line[:end+1], v, true
}

// labelValue is the value of label key in name{...}.
func labelValue(name, key string) (string, bool) {
	_, after, ok := strings.Cut(name, key+`="`)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(after, `"`)
	return v, ok
}

// since is the histogram of the observations made between before and h (same buckets).
func (h histogram) since(before histogram) histogram {
	d := histogram{bounds: h.bounds, counts: slices.Clone(h.counts)}
	if slices.Equal(before.bounds, h.bounds) {
		for i := range d.counts {
			d.counts[i] -= before.counts[i]
		}
	}
	return d
}

// total is the number of observations.
func (h histogram) total() float64 {
	if len(h.counts) == 0 {
		return 0
	}
	return h.counts[len(h.counts)-1]
}

// quantile interpolates the q-quantile linearly inside its bucket (histogram_quantile's
// method); one that falls in the +Inf bucket is the highest finite bound.
func (h histogram) quantile(q float64) float64 {
	n := h.total()
	if n == 0 {
		return 0
	}
	rank := q * n
	lower, below := 0.0, 0.0
	for i, bound := range h.bounds {
		if h.counts[i] >= rank {
			if math.IsInf(bound, 1) {
				return lower
			}
			in := h.counts[i] - below
			if in <= 0 {
				return bound
			}
			return lower + (bound-lower)*(rank-below)/in
		}
		lower, below = bound, h.counts[i]
	}
	return lower
}

// serverReport compares two samples around the creates of ports ports.
func serverReport(before, after *serverSample, ports int) *ServerReport {
	if before == nil || after == nil {
		return nil
	}
	rep := &ServerReport{}
	if before.hasCPU && after.hasCPU {
		rep.CPUSeconds = after.cpu - before.cpu
		if ports > 0 {
			rep.CPUPerPort = time.Duration(rep.CPUSeconds / float64(ports) * float64(time.Second))
		}
	}
	rep.CommitToApplied = quantilesOf(after.applied.since(before.applied))
	for stage, h := range after.stages {
		if q := quantilesOf(h.since(before.stages[stage])); q != nil {
			if rep.CommitToAppliedStages == nil {
				rep.CommitToAppliedStages = map[string]*Quantiles{}
			}
			rep.CommitToAppliedStages[stage] = q
		}
	}
	return rep
}

// quantilesOf is the quantiles of h, nil when it holds no observation.
func quantilesOf(d histogram) *Quantiles {
	if d.total() <= 0 {
		return nil
	}
	sec := func(q float64) time.Duration { return time.Duration(d.quantile(q) * float64(time.Second)) }
	return &Quantiles{Count: int(d.total()), P50: sec(0.5), P90: sec(0.9), P99: sec(0.99)}
}
