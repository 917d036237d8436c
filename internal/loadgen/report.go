package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Stats summarises latencies.
type Stats struct {
	Count      int           `json:"count"`
	Min        time.Duration `json:"min_ns"`
	P50        time.Duration `json:"p50_ns"`
	P90        time.Duration `json:"p90_ns"`
	P99        time.Duration `json:"p99_ns"`
	Max        time.Duration `json:"max_ns"`
	Throughput float64       `json:"throughput_per_s,omitempty"` // requests per second of wall time
}

// percentile is the nearest-rank percentile of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// summarize computes Stats; elapsed (if > 0) is the wall time the requests took together.
func summarize(lat []time.Duration, elapsed time.Duration) Stats {
	s := slices.Clone(lat)
	slices.Sort(s)
	st := Stats{Count: len(s)}
	if len(s) == 0 {
		return st
	}
	st.Min, st.Max = s[0], s[len(s)-1]
	st.P50, st.P90, st.P99 = percentile(s, 50), percentile(s, 90), percentile(s, 99)
	if elapsed > 0 {
		st.Throughput = float64(len(s)) / elapsed.Seconds()
	}
	return st
}

// Sample is one request: when it started and how long it took.
type Sample struct {
	At      time.Time     `json:"at"`
	Latency time.Duration `json:"latency_ns"`
}

// keepSlowest adds s to the n slowest samples, slowest first.
func keepSlowest(slow []Sample, s Sample, n int) []Sample {
	i := sort.Search(len(slow), func(i int) bool { return slow[i].Latency < s.Latency })
	if i >= n {
		return slow
	}
	slow = slices.Insert(slow, i, s)
	if len(slow) > n {
		slow = slow[:n]
	}
	return slow
}

// OpReport is one operation of a mix.
type OpReport struct {
	Stats
	OK         int            `json:"ok"`
	Failed     map[string]int `json:"failed,omitempty"` // by "status type"
	FirstError string         `json:"first_error,omitempty"`
}

// MixReport is the mixed workload: each operation's figures, and all of them together.
type MixReport struct {
	Stats                           // every operation together; throughput is operations per second
	Mix        string               `json:"mix"`        // the proportions, e.g. create=60,update=20,delete=10,list=10
	Operations map[string]*OpReport `json:"operations"` // by create, update, delete, list
	Skipped    int                  `json:"skipped"`    // updates, deletes and lists with no port left to work on
	Elapsed    time.Duration        `json:"elapsed_ns"`
}

// PageReport is a walk of the port collection page by page; Stats are per page.
type PageReport struct {
	Stats
	PageSize int           `json:"page_size"`
	SortKey  string        `json:"sort_key,omitempty"`
	SortDir  string        `json:"sort_dir,omitempty"`
	Pages    int           `json:"pages"`
	Ports    int           `json:"ports"`    // ports the pages held together
	Repeated int           `json:"repeated"` // ports seen on more than one page (0 unless the collection changed meanwhile)
	Complete bool          `json:"complete"` // the walk reached the last page
	Error    string        `json:"error,omitempty"`
	Elapsed  time.Duration `json:"elapsed_ns"`
}

// Report is the outcome of a run.
type Report struct {
	URL         string   `json:"url"`
	Concurrency int      `json:"concurrency"`
	Bulk        int      `json:"bulk"` // ports per create request
	Project     string   `json:"project"`
	NetworkIDs  []string `json:"network_ids"`
	CIDRs       []string `json:"cidrs"`
	Warnings    []string `json:"warnings,omitempty"`
	Hints       []string `json:"hints,omitempty"` // what to tune (--postgres)
	// Create's Stats are per request (a bulk of ports with --bulk); ports_per_s counts ports.
	Create struct {
		Stats
		OK             int            `json:"ok"` // ports created
		PortsPerSecond float64        `json:"ports_per_s"`
		Failed         map[string]int `json:"failed,omitempty"` // requests, by "status type"
		FirstError     string         `json:"first_error,omitempty"`
		Slowest        []Sample       `json:"slowest,omitempty"` // the 5 slowest requests, to line up with server logs
		Elapsed        time.Duration  `json:"elapsed_ns"`
	} `json:"port_create"`
	// Server is what the server's /metrics counted during the creates (a midonet server).
	Server   *ServerReport `json:"server,omitempty"`
	Mix      *MixReport    `json:"mix,omitempty"`
	PageWalk *PageReport   `json:"page_walk,omitempty"`
	List     struct {
		Stats
		Latencies []time.Duration `json:"-"`
		Ports     int             `json:"ports"` // ports in the last answer
		Bytes     int             `json:"bytes"` // size of the last answer
		Errors    []string        `json:"errors,omitempty"`
	} `json:"port_list"`
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

// WriteTable prints the report as a plain table.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	subnets := strings.Join(r.CIDRs, " ")
	if len(r.CIDRs) > 3 {
		subnets = fmt.Sprintf("%s … %s (%d networks)", r.CIDRs[0], r.CIDRs[len(r.CIDRs)-1], len(r.CIDRs))
	}
	fmt.Fprintf(&b, "target %s  project %s  concurrency %d  bulk %d  subnets %s\n\n", r.URL, r.Project, r.Concurrency, r.Bulk, subnets)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\trequests\tok\tfailed\tmin\tp50\tp90\tp99\tmax\tthroughput\t")
	c := r.Create
	failed := 0
	for _, n := range c.Failed {
		failed += n
	}
	what := "port create"
	if r.Bulk > 1 {
		what = fmt.Sprintf("port create (bulk of %d)", r.Bulk)
	}
	fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f ports/s\t\n",
		what, c.Count, c.Count-failed, failed, ms(c.Min), ms(c.P50), ms(c.P90), ms(c.P99), ms(c.Max), c.PortsPerSecond)
	if m := r.Mix; m != nil {
		for _, op := range mixOps {
			o := m.Operations[op]
			if o == nil {
				continue
			}
			f := 0
			for _, n := range o.Failed {
				f += n
			}
			fmt.Fprintf(tw, "mix: %s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f/s\t\n",
				op, o.Count, o.OK, f, ms(o.Min), ms(o.P50), ms(o.P90), ms(o.P99), ms(o.Max), o.Throughput)
		}
		fmt.Fprintf(tw, "mix: all (%s)\t%d\t\t\t%s\t%s\t%s\t%s\t%s\t%.1f/s\t\n",
			m.Mix, m.Count, ms(m.Min), ms(m.P50), ms(m.P90), ms(m.P99), ms(m.Max), m.Throughput)
	}
	if p := r.PageWalk; p != nil {
		sortBy := "id"
		if p.SortKey != "" {
			sortBy = p.SortKey + " " + p.SortDir
		}
		bad := 0
		if p.Error != "" {
			bad = 1
		}
		fmt.Fprintf(tw, "page of %d (by %s)\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d ports\t\n",
			p.PageSize, sortBy, p.Pages+bad, p.Pages, bad, ms(p.Min), ms(p.P50), ms(p.P90), ms(p.P99), ms(p.Max), p.Ports)
	}
	l := r.List
	if l.Count > 0 || len(l.Errors) > 0 {
		fmt.Fprintf(tw, "port list (%d ports)\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%.1f MB\t\n",
			l.Ports, l.Count+len(l.Errors), l.Count, len(l.Errors), ms(l.Min), ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), float64(l.Bytes)/1e6)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\nport creates took %v of wall time\n", c.Elapsed.Round(time.Millisecond))
	if sv := r.Server; sv != nil {
		fmt.Fprintf(&b, "server CPU during the creates: %.2fs, %s a port\n", sv.CPUSeconds, ms(sv.CPUPerPort))
		if a := sv.CommitToApplied; a != nil {
			fmt.Fprintf(&b, "commit → topology applied (server histogram, %d writes): p50 %s  p90 %s  p99 %s\n",
				a.Count, ms(a.P50), ms(a.P90), ms(a.P99))
		}
		for _, stage := range []string{"pickup", "queue", "translate", "order", "etcd", "answer"} {
			if a := sv.CommitToAppliedStages[stage]; a != nil {
				fmt.Fprintf(&b, "  stage %-9s p50 %s  p90 %s  p99 %s\n", stage, ms(a.P50), ms(a.P90), ms(a.P99))
			}
		}
	}
	if m := r.Mix; m != nil {
		fmt.Fprintf(&b, "the mix took %v (%d operations skipped: no port left)\n", m.Elapsed.Round(time.Millisecond), m.Skipped)
		for _, op := range mixOps {
			if o := m.Operations[op]; o != nil && o.FirstError != "" {
				fmt.Fprintf(&b, "first mix %s error: %s\n", op, o.FirstError)
			}
		}
	}
	if p := r.PageWalk; p != nil {
		state := "to the end"
		if !p.Complete {
			state = "stopped before the end"
		}
		fmt.Fprintf(&b, "page walk: %d pages, %d ports in %v, %s\n", p.Pages, p.Ports, p.Elapsed.Round(time.Millisecond), state)
		if p.Error != "" {
			fmt.Fprintf(&b, "failed page: %s\n", p.Error)
		}
	}
	for _, sl := range c.Slowest {
		fmt.Fprintf(&b, "slow create: %s started %s\n", ms(sl.Latency), sl.At.UTC().Format("15:04:05.000"))
	}
	if len(c.Failed) > 0 {
		kinds := make([]string, 0, len(c.Failed))
		for k := range c.Failed {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			fmt.Fprintf(&b, "failed create: %s x%d\n", k, c.Failed[k])
		}
		fmt.Fprintf(&b, "first error: %s\n", c.FirstError)
	}
	for _, e := range l.Errors {
		fmt.Fprintf(&b, "failed list: %s\n", e)
	}
	for _, h := range r.Hints {
		fmt.Fprintf(&b, "hint: %s\n", h)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as JSON (durations in nanoseconds).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
