// Package metrics exports the server's Prometheus metrics: API requests by collection,
// method and status with their latency, the task backlog, the time from a change to its
// topology being committed (translation latency), the time from a write's commit to its
// topology applied, the drift between the Neutron database and the NSDB, and the
// decoded-document cache.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/midonet-go/midonet/internal/buildinfo"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	Translation prometheus.Histogram
	// Applied times each write from its database commit to its topology committed in the
	// NSDB (the backend's Commit: the REST apply, or the task client's wait for the
	// consumer); only writes the backend applied are counted.
	Applied prometheus.Histogram
	// Stages splits Applied by where the time went (label stage, see the Stage*
	// constants), for the writes whose cluster runs in this process: each such write is
	// observed once in every stage, and its stages add up to its Applied observation.
	Stages *prometheus.HistogramVec
	Drift  prometheus.Gauge
	// known are the URL segments under /v2.0/ that label requests; anything else is
	// "other" (bounded cardinality).
	known map[string]bool
}

// New registers the collectors. paths are the URL segments under /v2.0/ that label
// requests (the catalogue's collections, quotas, extensions); backlog, when non-nil, is read
// at each scrape.
func New(paths []string, backlog func() float64) *Metrics {
	reg := prometheus.NewRegistry()
	known := make(map[string]bool, len(paths))
	for _, p := range paths {
		known[p] = true
	}
	m := &Metrics{
		known:    known,
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "midonet_api_requests_total", Help: "Neutron API requests by collection, method and status code.",
		}, []string{"collection", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "midonet_api_request_duration_seconds", Help: "Neutron API request latency by collection and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"collection", "method"}),
		Translation: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "midonet_translation_duration_seconds", Help: "Time to translate a change and commit its topology to the NSDB.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		Applied: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "midonet_commit_to_applied_seconds", Help: "Time from a write's database commit to its topology committed in the NSDB.",
			Buckets: []float64{.0005, .001, .002, .003, .005, .0075, .01, .015, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}),
		Stages: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "midonet_commit_to_applied_stage_seconds", Help: "Time from a write's database commit to its topology committed in the NSDB, by stage: " +
				"pickup (until the cluster has the change), queue (waiting for the apply that holds it), translate, order (until the transaction before it answered), etcd (the NSDB transaction), answer (back to the API).",
			Buckets: []float64{.0001, .00025, .0005, .001, .002, .003, .005, .0075, .01, .015, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"stage"}),
		Drift: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "midonet_drift", Help: "Differences between the Neutron database and the NSDB found by the last verification.",
		}),
	}
	bi := buildinfo.Get()
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "midonet_build_info", Help: "The running build: always 1, labelled with its version, VCS revision and Go version.",
	}, []string{"version", "revision", "goversion"})
	build.WithLabelValues(bi.Version, bi.Revision, bi.GoVersion).Set(1)
	reg.MustRegister(m.requests, m.latency, m.Translation, m.Applied, m.Stages, m.Drift, build,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if backlog != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "midonet_task_backlog", Help: "Tasks in midonet_tasks not yet applied to the NSDB.",
		}, backlog))
	}
	return m
}

// The stages of midonet_commit_to_applied_stage_seconds, in the order a write passes them.
const (
	StagePickup    = "pickup"    // the commit until the cluster has the change (the REST call in)
	StageQueue     = "queue"     // waiting for the apply that holds the change to begin
	StageTranslate = "translate" // that apply's translation and diff
	StageOrder     = "order"     // until its etcd transaction is sent: the one in flight before it answered
	StageEtcd      = "etcd"      // the etcd transaction, sent until answered
	StageAnswer    = "answer"    // the transaction's answer until the API has it
)

// StageNames are the stages in order.
var StageNames = []string{StagePickup, StageQueue, StageTranslate, StageOrder, StageEtcd, StageAnswer}

// ObserveStage returns a function that observes seconds in a stage of Stages (one of
// StageNames; any other name is dropped).
func (m *Metrics) ObserveStage() func(stage string, seconds float64) {
	obs := make(map[string]prometheus.Observer, len(StageNames))
	for _, name := range StageNames {
		obs[name] = m.Stages.WithLabelValues(name)
	}
	return func(stage string, seconds float64) {
		if o := obs[stage]; o != nil {
			o.Observe(seconds)
		}
	}
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

func (m *Metrics) collectionOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/v2.0/")
	if !ok {
		return "root"
	}
	first, _, _ := strings.Cut(rest, "/")
	first = strings.TrimSuffix(first, ".json")
	if m.known[first] {
		return first
	}
	return "other"
}

// methods label API requests; any other method name is "other". The method is taken from
// the request line before authentication, so it must never become a label as sent.
var methods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func methodOf(m string) string {
	if methods[m] {
		return m
	}
	return "other"
}

// codes label API requests by status; any other status is labelled by its class ("2xx",
// "4xx", …) or "other", so the label set is fixed whatever a handler writes.
var codes = map[int]bool{
	200: true, 201: true, 204: true, 400: true, 401: true, 403: true, 404: true, 405: true,
	406: true, 408: true, 409: true, 412: true, 413: true, 415: true, 500: true, 501: true, 503: true,
}

func codeOf(code int) string {
	switch {
	case codes[code]:
		return strconv.Itoa(code)
	case code >= 100 && code <= 599:
		return strconv.Itoa(code/100) + "xx"
	}
	return "other"
}

type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// Middleware counts and times every request. Every label comes from a fixed set (known
// collections, methods and status codes, else "other" or the status class), so no caller can
// grow the exported series, authenticated or not.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		coll, method := m.collectionOf(r.URL.Path), methodOf(r.Method)
		m.requests.WithLabelValues(coll, method, codeOf(rec.code)).Inc()
		m.latency.WithLabelValues(coll, method).Observe(time.Since(start).Seconds())
	})
}
