package conformance

import (
	"encoding/json"
	"fmt"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DiffKind classifies a difference.
type DiffKind string

// The kinds of difference Compare reports.
const (
	KindStatus     DiffKind = "status"
	KindErrorType  DiffKind = "error_type"
	KindMissingKey DiffKind = "missing_key"
	KindExtraKey   DiffKind = "extra_key" // a key not asked for with fields=
	KindValue      DiffKind = "value"
	KindLength     DiffKind = "list_length"
	KindListItem   DiffKind = "list_item" // an item of an unordered list without a match
	KindLink       DiffKind = "link"
	KindHeader     DiffKind = "header"
	KindBody       DiffKind = "body" // empty, not JSON, or body_text
	KindCapture    DiffKind = "capture"
	KindTransport  DiffKind = "transport" // no answer at all
)

// Diff is one difference between the golden answer and ours.
type Diff struct {
	Kind DiffKind
	Path string // place in the body, e.g. port.fixed_ips[0].ip_address; header name for KindHeader
	Want string // golden (normalised), as compact JSON where it is a value
	Got  string // ours (normalised)
	Note string
}

func (d Diff) String() string {
	var s string
	switch d.Kind {
	case KindStatus:
		s = fmt.Sprintf("status: want %s, got %s", d.Want, d.Got)
	case KindErrorType:
		s = fmt.Sprintf("NeutronError.type: want %s, got %s", d.Want, d.Got)
	case KindMissingKey:
		s = fmt.Sprintf("missing key %s (golden value %s)", d.Path, d.Want)
	case KindExtraKey:
		s = fmt.Sprintf("unexpected key %s with fields= (value %s)", d.Path, d.Got)
	case KindHeader:
		s = fmt.Sprintf("header %s: want %s, got %s", d.Path, d.Want, d.Got)
	case KindCapture:
		s = fmt.Sprintf("capture %s", d.Path)
	case KindTransport:
		s = "no answer: " + d.Got
	default:
		path := d.Path
		if path == "" {
			path = "body"
		}
		s = fmt.Sprintf("%s: want %s, got %s", path, d.Want, d.Got)
	}
	if d.Note != "" {
		s += " (" + d.Note + ")"
	}
	return s
}

// Answer is our server's answer to one step.
type Answer struct {
	Status int
	Header http.Header
	Raw    any    // decoded JSON body with json.Number; nil when empty or not JSON
	Body   any    // Raw normalised
	IsJSON bool   // the body parsed as JSON
	Text   string // the body as text (set whatever the content)
}

// ValueContext says where a golden value sits: the resource (singular, as
// "port") and the dotted key path below the resource object.
type ValueContext struct {
	Resource    string
	Rel         string
	RequestBody any // the step's request body, templates resolved
}

// Adjustment is what a deployment profile does with one golden value.
type Adjustment struct {
	Skip    bool               // the value is deployment-dependent: do not compare it
	Replace bool               // compare with Want instead of the golden value
	Want    any                // the mapped golden value
	Match   func(got any) bool // custom comparison, if set
	Note    string             // shown when Match fails
}

// Profile maps deployment-dependent golden values onto the server under
// test (the README's "Deployment differences").
type Profile struct {
	Name   string
	Adjust func(vc ValueContext, want any) Adjustment // nil: compare as is
}

// ReferenceProfile compares every value as recorded (a server deployed like
// the reference; used to check the golden files against themselves).
var ReferenceProfile = Profile{Name: "reference"}

// MidonetProfile maps the reference's ML2/vxlan/no-agent values onto
// midonet's: network_type vxlan is midonet with no segmentation id, MTU
// values, port binding results and port status are the deployment's own,
// dns_assignment fqdns end in another domain, quota values the request did
// not set are configuration defaults, and a floating IP's status follows
// networking-midonet (ACTIVE while associated, DOWN otherwise) where the
// agent-less reference always said DOWN.
var MidonetProfile = Profile{Name: "midonet", Adjust: midonetAdjust}

func midonetAdjust(vc ValueContext, want any) Adjustment {
	switch vc.Resource + "|" + vc.Rel {
	case "network|mtu",
		"port|binding:vif_type", "port|binding:vif_details", "port|status",
		"floatingip|port_details.status", "floatingip|status":
		return Adjustment{Skip: true}
	case "network|provider:network_type":
		if want == "vxlan" {
			return Adjustment{Replace: true, Want: "midonet"}
		}
	case "network|provider:segmentation_id":
		if want == "<segid>" {
			return Adjustment{Replace: true, Want: nil}
		}
	case "port|dns_assignment.fqdn":
		if w, ok := want.(string); ok && !strings.HasPrefix(w, "<") {
			label := hostLabel(w)
			return Adjustment{
				Match: func(got any) bool { g, ok := got.(string); return ok && hostLabel(g) == label },
				Note:  "compared up to the domain, which is the deployment's dns_domain",
			}
		}
	}
	if vc.Resource == "quota" && vc.Rel != "" && !strings.Contains(vc.Rel, ".") {
		q, _ := lookupPath(vc.RequestBody, "quota")
		if m, ok := q.(map[string]any); !ok || m[vc.Rel] == nil {
			return Adjustment{Skip: true} // a configured default
		}
	}
	return Adjustment{}
}

// hostLabel is the first label of a DNS name.
func hostLabel(fqdn string) string {
	if i := strings.IndexByte(fqdn, '.'); i >= 0 {
		return fqdn[:i]
	}
	return fqdn
}

// Check is everything Compare needs for one step.
type Check struct {
	Golden      *GoldenStep
	Answer      *Answer
	Path        string          // the request path as sent (fields=, sort_key)
	RequestBody any             // the request body as sent
	Profile     Profile         // deployment mapping
	Advertised  map[string]bool // aliases of the server under test; nil: all
	Normalizer  *Normalizer     // for headers and text
	Strict      bool            // also compare NeutronError.message and body_text
	// Ignored, if not nil, counts per alias the golden keys and values not
	// compared because we do not advertise the alias that adds them.
	Ignored map[string]int
}

// Compare reports every difference between a golden step and our answer,
// following the README's "How a replayer should compare". When the status
// differs, only the status is reported.
func Compare(c Check) []Diff {
	g, a := c.Golden, c.Answer
	if a.Status != g.Status {
		d := Diff{Kind: KindStatus, Want: strconv.Itoa(g.Status), Got: strconv.Itoa(a.Status)}
		if g.ErrorType != "" {
			d.Want += " " + g.ErrorType
		}
		if t, msg, ok := neutronError(a.Raw); ok {
			d.Got += " " + t
			d.Note = "message: " + brief(msg)
		} else if strings.TrimSpace(a.Text) != "" {
			d.Note = "body: " + brief(a.Text)
		}
		return []Diff{d}
	}
	m := &comparer{c: c, reported: map[string]bool{}}
	q := queryOf(c.Path)
	_, m.fields = q["fields"]
	_, hasSort := q["sort_key"]
	m.unorderedTop = strings.EqualFold(g.Request.Method, http.MethodGet) && !hasSort
	if g.ErrorType != "" {
		if t, _, ok := neutronError(a.Raw); !ok {
			m.add(Diff{Kind: KindErrorType, Want: g.ErrorType, Got: "no NeutronError: " + brief(a.Text)})
		} else if t != g.ErrorType {
			m.add(Diff{Kind: KindErrorType, Want: g.ErrorType, Got: t})
		}
	}
	m.headers()
	switch {
	case g.BodyText != nil:
		if c.Strict {
			got := strings.TrimSpace(c.Normalizer.Text(a.Text))
			if want := strings.TrimSpace(*g.BodyText); got != want {
				m.add(Diff{Kind: KindBody, Want: brief(want), Got: brief(got), Note: "body_text"})
			}
		}
	case g.Body == nil:
		if strings.TrimSpace(a.Text) != "" {
			m.add(Diff{Kind: KindBody, Want: "an empty body", Got: brief(a.Text)})
		}
	case !a.IsJSON:
		got := "an empty body"
		if a.Text != "" {
			got = brief(a.Text)
		}
		m.add(Diff{Kind: KindBody, Want: "a JSON body", Got: got})
	default:
		m.keys()
		m.compare("", vctx{}, g.Body, a.Body)
	}
	return m.diffs
}

// vctx tracks where the comparison is: the top-level member, its resource,
// the path below the resource object, and the depth below the body.
type vctx struct {
	member string
	res    string
	rel    string
	depth  int
}

func (v vctx) child(key string) vctx {
	if v.depth == 0 {
		return vctx{member: key, res: resourceOf(key), depth: 1}
	}
	if sub := subResource(v.res, key); sub != "" {
		return vctx{member: v.member, res: sub, depth: v.depth + 1}
	}
	rel := key
	if v.rel != "" {
		rel = v.rel + "." + key
	}
	return vctx{member: v.member, res: v.res, rel: rel, depth: v.depth + 1}
}

type comparer struct {
	c            Check
	diffs        []Diff
	fields       bool            // the request used fields=
	unorderedTop bool            // a GET without sort_key
	reported     map[string]bool // member|resource|key already reported missing by keys()
	probe        bool            // a trial comparison inside multiset: count nothing
}

func (m *comparer) add(d Diff) { m.diffs = append(m.diffs, d) }

// headers checks that the golden headers are there: the media type of
// content-type, and a request id of the form req-<uuid>.
func (m *comparer) headers() {
	g, a := m.c.Golden, m.c.Answer
	for _, name := range sortedKeys(g.Headers) {
		want := g.Headers[name]
		got := a.Header.Get(name)
		if got == "" {
			m.add(Diff{Kind: KindHeader, Path: name, Want: want, Got: "nothing"})
			continue
		}
		switch strings.ToLower(name) {
		case "content-type":
			if g.BodyText != nil && !m.c.Strict {
				continue
			}
			wt, _, _ := mime.ParseMediaType(want)
			gt, _, _ := mime.ParseMediaType(got)
			if wt != gt {
				m.add(Diff{Kind: KindHeader, Path: name, Want: want, Got: got})
			}
		case "x-openstack-request-id":
			if n := m.c.Normalizer.String(got); n != want {
				m.add(Diff{Kind: KindHeader, Path: name, Want: want, Got: got})
			}
		}
	}
}

// keys checks the golden key sets against the raw answer: every recorded key
// must be there (unless an alias we do not advertise adds it), and with
// fields= nothing else.
func (m *comparer) keys() {
	raw, _ := m.c.Answer.Raw.(map[string]any)
	for _, entry := range sortedKeys(m.c.Golden.Keys) {
		want := m.c.Golden.Keys[entry]
		if entry == "$" {
			for _, k := range want {
				if _, ok := raw[k]; !ok {
					m.add(Diff{Kind: KindMissingKey, Path: k, Want: briefAt(m.c.Golden.Body, k)})
					m.reported["||"+k] = true
				}
			}
			continue
		}
		member, ok := raw[entry]
		if !ok {
			continue // reported with "$"
		}
		res := resourceOf(entry)
		var objs []map[string]any
		switch x := member.(type) {
		case map[string]any:
			objs = append(objs, x)
		case []any:
			for _, e := range x {
				if o, ok := e.(map[string]any); ok {
					objs = append(objs, o)
				}
			}
		}
		wantSet := map[string]bool{}
		for _, k := range want {
			wantSet[k] = true
			if !m.expected(res, k) {
				continue
			}
			missing := 0
			for _, o := range objs {
				if _, ok := o[k]; !ok {
					missing++
				}
			}
			if missing > 0 {
				d := Diff{Kind: KindMissingKey, Path: entry + "." + k, Want: briefMemberKey(m.c.Golden.Body, entry, k)}
				if len(objs) > 1 {
					d.Note = fmt.Sprintf("missing in %d of %d items", missing, len(objs))
				}
				m.add(d)
				m.reported[entry+"|"+res+"|"+k] = true
			}
		}
		if !m.fields || strings.HasSuffix(entry, "_links") {
			continue
		}
		extra := map[string]any{}
		for _, o := range objs {
			for k, v := range o {
				if !wantSet[k] && advertisedKey(m.c.Advertised, res, k) {
					extra[k] = v
				}
			}
		}
		for _, k := range sortedKeys(extra) {
			m.add(Diff{Kind: KindExtraKey, Path: entry + "." + k, Got: brief(extra[k])})
		}
	}
}

// skipped reports whether the value at ctx is not compared: keys of
// aliases we do not advertise, and NeutronError.message unless strict.
func (m *comparer) skipped(ctx vctx) bool {
	if !m.expected(ctx.res, ctx.rel) {
		return true
	}
	if ctx.member != "NeutronError" {
		return false
	}
	// The type is checked against error_type already.
	return (ctx.rel == "type" && m.c.Golden.ErrorType != "") || (!m.c.Strict && ctx.rel == "message")
}

// expected reports whether we should have key rel of resource, counting the
// keys of aliases we do not advertise in Check.Ignored.
func (m *comparer) expected(res, rel string) bool {
	if advertisedKey(m.c.Advertised, res, rel) {
		return true
	}
	if m.c.Ignored != nil && !m.probe {
		m.c.Ignored[extensionOf(res, rel)]++
	}
	return false
}

// compare checks that every value of want is at the same place in got.
func (m *comparer) compare(path string, ctx vctx, want, got any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			m.add(Diff{Kind: KindValue, Path: path, Want: brief(want), Got: brief(got)})
			return
		}
		for _, k := range sortedKeys(w) {
			cctx := ctx.child(k)
			if m.skipped(cctx) {
				continue
			}
			wv := w[k]
			var adj Adjustment
			if m.c.Profile.Adjust != nil && cctx.res != "" {
				adj = m.c.Profile.Adjust(ValueContext{Resource: cctx.res, Rel: cctx.rel, RequestBody: m.c.RequestBody}, wv)
			}
			if adj.Skip {
				continue
			}
			cpath := joinPath(path, k)
			gv, present := g[k]
			if !present {
				if !m.reported[ctx.member+"|"+ctx.res+"|"+k] {
					m.add(Diff{Kind: KindMissingKey, Path: cpath, Want: brief(wv)})
				}
				continue
			}
			if adj.Match != nil {
				if !adj.Match(gv) {
					m.add(Diff{Kind: KindValue, Path: cpath, Want: brief(wv), Got: brief(gv), Note: adj.Note})
				}
				continue
			}
			if adj.Replace {
				wv = adj.Want
			}
			m.member(cpath, cctx, k, wv, gv)
		}
	case []any:
		m.member(path, ctx, "", want, got)
	default:
		if !scalarEqual(want, got) {
			m.add(Diff{Kind: KindValue, Path: path, Want: brief(want), Got: brief(got)})
		}
	}
}

// member compares the value of key: lists by their kind (links, unordered,
// ordered), anything else through compare.
func (m *comparer) member(path string, ctx vctx, key string, want, got any) {
	wl, ok := want.([]any)
	if !ok {
		m.compare(path, ctx, want, got)
		return
	}
	gl, ok := got.([]any)
	if !ok {
		m.add(Diff{Kind: KindValue, Path: path, Want: brief(want), Got: brief(got)})
		return
	}
	switch {
	case strings.HasSuffix(key, "_links") && isLinkList(wl):
		m.links(path, wl, gl)
	case unorderedKeys[key] || (ctx.depth == 1 && m.unorderedTop && topUnordered(key)):
		m.multiset(path, ctx, wl, gl)
	default:
		if len(wl) != len(gl) {
			m.add(Diff{Kind: KindLength, Path: path, Want: fmt.Sprintf("%d items", len(wl)), Got: fmt.Sprintf("%d items", len(gl))})
		}
		for i := 0; i < len(wl) && i < len(gl); i++ {
			m.member(fmt.Sprintf("%s[%d]", path, i), ctx, "", wl[i], gl[i])
		}
	}
}

// equal reports whether got matches want with no difference.
func (m *comparer) equal(ctx vctx, want, got any) bool {
	sub := &comparer{c: m.c, fields: m.fields, reported: map[string]bool{}, probe: true}
	sub.member("", ctx, "", want, got)
	return len(sub.diffs) == 0
}

// multiset compares two lists whose order is not defined.
func (m *comparer) multiset(path string, ctx vctx, want, got []any) {
	used := make([]bool, len(got))
	var lostW []int
	for i, w := range want {
		found := -1
		if i < len(got) && !used[i] && m.equal(ctx, w, got[i]) {
			found = i // the usual case: same place
		}
		for j := 0; found < 0 && j < len(got); j++ {
			if !used[j] && m.equal(ctx, w, got[j]) {
				found = j
			}
		}
		if found >= 0 {
			used[found] = true
		} else {
			lostW = append(lostW, i)
		}
	}
	var lostG []int
	for j, u := range used {
		if !u {
			lostG = append(lostG, j)
		}
	}
	if len(lostW) == 1 && len(lostG) == 1 {
		// One item differs: show where.
		m.member(fmt.Sprintf("%s[%d]", path, lostW[0]), ctx, "", want[lostW[0]], got[lostG[0]])
		return
	}
	if len(want) != len(got) {
		m.add(Diff{Kind: KindLength, Path: path, Want: fmt.Sprintf("%d items", len(want)), Got: fmt.Sprintf("%d items", len(got)), Note: "unordered"})
		if len(want) == 0 || len(got) == 0 {
			return // the length says it all
		}
	}
	for _, i := range lostW {
		m.add(Diff{Kind: KindListItem, Path: fmt.Sprintf("%s[%d]", path, i), Want: brief(want[i]), Got: "no matching item", Note: "unordered"})
	}
	for _, j := range lostG {
		m.add(Diff{Kind: KindListItem, Path: path + "[?]", Want: "no such item", Got: brief(got[j]), Note: "unordered"})
	}
}

// isLinkList reports whether a list holds {href, rel} objects.
func isLinkList(l []any) bool {
	for _, e := range l {
		o, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := o["rel"]; !ok {
			return false
		}
	}
	return true
}

// links compares pagination links as a set keyed by rel.
func (m *comparer) links(path string, want, got []any) {
	byRel := func(l []any) map[string]any {
		out := map[string]any{}
		for _, e := range l {
			if o, ok := e.(map[string]any); ok {
				rel, _ := o["rel"].(string)
				out[rel] = o["href"]
			}
		}
		return out
	}
	w, g := byRel(want), byRel(got)
	for _, rel := range sortedKeys(w) {
		gh, ok := g[rel]
		switch {
		case !ok:
			m.add(Diff{Kind: KindLink, Path: path + "[rel=" + rel + "]", Want: brief(w[rel]), Got: "no such link"})
		case !scalarEqual(w[rel], gh):
			m.add(Diff{Kind: KindLink, Path: path + "[rel=" + rel + "]", Want: brief(w[rel]), Got: brief(gh)})
		}
	}
	for _, rel := range sortedKeys(g) {
		if _, ok := w[rel]; !ok {
			m.add(Diff{Kind: KindLink, Path: path + "[rel=" + rel + "]", Want: "no such link", Got: brief(g[rel])})
		}
	}
}

// scalarEqual compares two JSON scalars; numbers by value.
func scalarEqual(want, got any) bool {
	switch w := want.(type) {
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			return false
		}
		if w == g {
			return true
		}
		wf, ok1 := new(big.Float).SetString(w.String())
		gf, ok2 := new(big.Float).SetString(g.String())
		return ok1 && ok2 && wf.Cmp(gf) == 0
	case string:
		g, ok := got.(string)
		return ok && g == w
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case nil:
		return got == nil
	}
	return false
}

// neutronError returns the type and message of a NeutronError body.
func neutronError(body any) (typ, msg string, ok bool) {
	m, _ := body.(map[string]any)
	ne, isMap := m["NeutronError"].(map[string]any)
	if !isMap {
		return "", "", false
	}
	typ, _ = ne["type"].(string)
	msg, _ = ne["message"].(string)
	return typ, msg, true
}

// queryOf parses the query of a request path.
func queryOf(path string) url.Values {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		q, _ := url.ParseQuery(path[i+1:])
		return q
	}
	return url.Values{}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// briefLimit bounds the values shown in a report.
const briefLimit = 200

// brief is a value as compact JSON (strings unquoted when they are text),
// cut to briefLimit characters.
func brief(v any) string {
	s := canonical(v)
	if t, ok := v.(string); ok && !strings.ContainsAny(t, "\"\\") && strings.ContainsAny(t, "\n") {
		s = strconv.Quote(t)
	}
	if len(s) > briefLimit {
		s = s[:briefLimit] + "…"
	}
	return s
}

func briefAt(body any, key string) string {
	v, _ := lookupPath(body, key)
	return brief(v)
}

// briefMemberKey shows the golden value of key in a member object, or in
// the first item of a member list.
func briefMemberKey(body any, member, key string) string {
	v, _ := lookupPath(body, member)
	switch x := v.(type) {
	case map[string]any:
		return brief(x[key])
	case []any:
		for _, e := range x {
			if o, ok := e.(map[string]any); ok {
				if val, ok := o[key]; ok {
					return brief(val)
				}
			}
		}
	}
	return "?"
}

// indexRE matches list indexes in a diff path, for grouping.
var indexRE = regexp.MustCompile(`\[\d+\]|\[\?\]`)
