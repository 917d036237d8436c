package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"
)

// StepResult is the outcome of one step.
type StepResult struct {
	Index      int
	Name       string
	Method     string
	Path       string         // the path as sent
	Template   string         // the path as written in the scenario
	Body       string         // the request body as sent (compact), if any
	Deployment string         // the step's deployment tag: sent, not compared
	Unresolved []string       // capture names the request could not resolve
	Status     int            // our status, 0 if the request failed
	Diffs      []Diff         // nil when the step conforms (or was not compared)
	Ignored    map[string]int // per alias we do not advertise: golden keys not compared
	Ours       GoldenStep     // our answer, normalised, in the golden format
}

// Request is the request line of a result, for reports.
func (r StepResult) Request() string {
	s := r.Method + " " + r.Path
	if r.Body != "" {
		body := r.Body
		if len(body) > briefLimit {
			body = body[:briefLimit] + "…"
		}
		s += " " + body
	}
	return s
}

// Runner replays scenarios against a server.
type Runner struct {
	BaseURL string       // e.g. http://127.0.0.1:9797
	Client  *http.Client // nil: a client with a 60 s timeout
	Profile Profile
	Strict  bool
	Logf    func(format string, args ...any) // progress notes; may be nil
}

func (r *Runner) client() *http.Client {
	if r.Client != nil {
		return r.Client
	}
	return &http.Client{
		Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func (r *Runner) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// Advertised fetches the aliases the server lists at GET /v2.0/extensions.
func (r *Runner) Advertised(ctx context.Context) (map[string]bool, error) {
	a, err := r.do(ctx, http.MethodGet, "/v2.0/extensions", nil, nil)
	if err != nil {
		return nil, err
	}
	if a.Status != http.StatusOK {
		return nil, fmt.Errorf("GET /v2.0/extensions: status %d: %s", a.Status, brief(a.Text))
	}
	m, _ := a.Raw.(map[string]any)
	list, ok := m["extensions"].([]any)
	if !ok {
		return nil, fmt.Errorf("GET /v2.0/extensions: no extensions list: %s", brief(a.Text))
	}
	adv := map[string]bool{}
	for _, e := range list {
		if o, ok := e.(map[string]any); ok {
			if alias, ok := o["alias"].(string); ok {
				adv[alias] = true
			}
		}
	}
	return adv, nil
}

// Run replays every step of s in order and compares each answer with g. It
// fetches the advertised aliases first; if that fails every alias counts as
// advertised (the strictest comparison) and the error is logged.
func (r *Runner) Run(ctx context.Context, s *Scenario, g *Golden) ([]StepResult, error) {
	if err := checkPair(s, g); err != nil {
		return nil, err
	}
	adv, err := r.Advertised(ctx)
	if err != nil {
		r.logf("%s: cannot list our extensions, expecting every key: %v", s.Name, err)
	}
	caps := NewCaptures()
	lits := NewLiterals()
	norm := &Normalizer{Base: r.BaseURL, Captures: caps, Literals: lits}
	results := make([]StepResult, 0, len(s.Steps))
	for i := range s.Steps {
		results = append(results, r.step(ctx, i, &s.Steps[i], &g.Steps[i], caps, lits, norm, adv))
	}
	return results, nil
}

func (r *Runner) step(ctx context.Context, i int, st *Step, gs *GoldenStep, caps *Captures, lits *Literals, norm *Normalizer, adv map[string]bool) StepResult {
	res := StepResult{Index: i, Name: st.Name, Method: st.Method, Template: st.Path, Deployment: st.Deployment}
	path, miss := caps.Expand(st.Path)
	res.Unresolved = append(res.Unresolved, miss...)
	res.Path = path
	headers := map[string]string{}
	for k, v := range st.Headers {
		hv, miss := caps.Expand(v)
		res.Unresolved = append(res.Unresolved, miss...)
		headers[k] = hv
	}
	var body []byte
	var sentBody any
	switch {
	case st.RawBody != nil:
		text, miss := caps.Expand(*st.RawBody)
		res.Unresolved = append(res.Unresolved, miss...)
		body = []byte(text)
	case st.Body != nil:
		var miss []string
		sentBody, miss = caps.ExpandJSON(st.Body)
		res.Unresolved = append(res.Unresolved, miss...)
		body, _ = marshalCompact(sentBody)
	}
	res.Body = string(body)
	lits.AddRequest(st.Path, st.Body, st.RawBody)

	a, err := r.do(ctx, st.Method, path, headers, body)
	if err != nil {
		res.Diffs = []Diff{{Kind: KindTransport, Want: fmt.Sprintf("status %d", gs.Status), Got: err.Error()}}
		return res
	}
	res.Status = a.Status
	var capDiffs []Diff
	for _, c := range st.Capture {
		v, ok := lookupPath(a.Raw, c.Path)
		if !ok {
			capDiffs = append(capDiffs, Diff{Kind: KindCapture, Path: c.Name + " = " + c.Path, Note: "not in our answer; later steps using it will fail"})
			continue
		}
		caps.Set(c.Name, v)
	}
	q := queryOf(path)
	_, hasSort := q["sort_key"]
	if a.IsJSON {
		a.Body = norm.Body(a.Raw, strings.EqualFold(st.Method, http.MethodGet) && !hasSort)
	}
	res.Ours = ours(st, gs, a, norm)
	if st.Deployment != "" {
		return res
	}
	res.Ignored = map[string]int{}
	res.Diffs = Compare(Check{
		Ignored:     res.Ignored,
		Golden:      gs,
		Answer:      a,
		Path:        path,
		RequestBody: sentBody,
		Profile:     r.Profile,
		Advertised:  adv,
		Normalizer:  norm,
		Strict:      r.Strict,
	})
	res.Diffs = append(res.Diffs, capDiffs...)
	return res
}

// do sends one request. path is sent exactly as given.
func (r *Runner) do(ctx context.Context, method, path string, headers map[string]string, body []byte) (*Answer, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.BaseURL+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := r.client().Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	a := &Answer{Status: resp.StatusCode, Header: resp.Header, Text: string(data)}
	if len(bytes.TrimSpace(data)) > 0 {
		var v any
		if decodeJSON(data, &v) == nil {
			a.Raw, a.IsJSON = v, true
		}
	}
	return a, nil
}

// ours writes our answer in the golden format, normalised, for dumps.
func ours(st *Step, gs *GoldenStep, a *Answer, norm *Normalizer) GoldenStep {
	o := GoldenStep{
		Name:       st.Name,
		Request:    gs.Request,
		Status:     a.Status,
		Headers:    map[string]string{},
		Captures:   st.Capture,
		Deployment: st.Deployment,
	}
	for _, h := range []string{"content-type", "x-openstack-request-id"} {
		if v := a.Header.Get(h); v != "" {
			o.Headers[h] = norm.String(v)
		}
	}
	switch {
	case a.IsJSON:
		o.Body = a.Body
		o.Keys = KeysOf(a.Raw)
		if t, _, ok := neutronError(a.Raw); ok {
			o.ErrorType = t
		}
	case strings.TrimSpace(a.Text) != "":
		text := norm.Text(a.Text)
		o.BodyText = &text
	}
	return o
}

// KeysOf lists a body's key sets as the golden "keys" do: "$" for the top
// level, and for each member holding an object its keys, or for a non-empty
// list of objects the keys every item has.
func KeysOf(body any) map[string][]string {
	m, ok := body.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string][]string{"$": sortedKeys(m)}
	for k, v := range m {
		switch x := v.(type) {
		case map[string]any:
			out[k] = sortedKeys(x)
		case []any:
			if len(x) == 0 {
				continue
			}
			count := map[string]int{}
			all := true
			for _, e := range x {
				o, ok := e.(map[string]any)
				if !ok {
					all = false
					break
				}
				for key := range o {
					count[key]++
				}
			}
			if !all {
				continue
			}
			var keys []string
			for key, n := range count {
				if n == len(x) {
					keys = append(keys, key)
				}
			}
			sort.Strings(keys)
			out[k] = keys
		}
	}
	return out
}

// marshalCompact encodes v as compact JSON without HTML escaping.
func marshalCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
