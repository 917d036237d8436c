package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
)

// fakeStore is an NSDB whose watches the test feeds.
type fakeStore struct {
	mu      sync.Mutex
	watches map[string]chan nsdb.Event
	objects map[string][]byte
	started chan string
}

func newFakeStore() *fakeStore {
	return &fakeStore{watches: map[string]chan nsdb.Event{}, objects: map[string][]byte{},
		started: make(chan string, 16)}
}

func (f *fakeStore) Get(_ context.Context, key string) (*nsdb.KV, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.objects[key]; ok {
		return &nsdb.KV{Key: key, Value: v}, nil
	}
	return nil, nil
}

func (f *fakeStore) List(_ context.Context, prefix string) ([]nsdb.KV, int64, error) {
	if prefix == nsdb.ActiveVersionKey {
		return []nsdb.KV{{Key: nsdb.ActiveVersionKey, Value: []byte("1")}}, 41, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []nsdb.KV
	for k, v := range f.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, nsdb.KV{Key: k, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, 41, nil
}

func (f *fakeStore) Watch(ctx context.Context, prefix string, _ int64) <-chan nsdb.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	in := make(chan nsdb.Event, 16)
	out := make(chan nsdb.Event)
	f.watches[prefix] = in
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-in:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	f.started <- prefix
	return out
}

func (f *fakeStore) send(t *testing.T, prefix string, ev nsdb.Event) {
	t.Helper()
	f.mu.Lock()
	c := f.watches[prefix]
	f.mu.Unlock()
	if c == nil {
		t.Fatalf("nobody watches %s", prefix)
	}
	c <- ev
}

// fakeAPI answers GET /v2.0/<collection>[/<id>] the way the Neutron API does for a caller
// of X-Project-Id: its own documents (all of them without the header), 404 for the rest.
type fakeAPI struct {
	mu   sync.Mutex
	docs map[string]map[string]any // "networks/<id>" → document with tenant_id
}

func (a *fakeAPI) set(col, id, project string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.docs[col+"/"+id] = map[string]any{"id": id, "tenant_id": project, "name": id}
}

func (a *fakeAPI) remove(col, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.docs, col+"/"+id)
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	project := r.Header.Get("X-Project-Id")
	sees := func(d map[string]any) bool { return project == "" || d["tenant_id"] == project }
	path := strings.TrimPrefix(r.URL.Path, "/v2.0/")
	col, id, one := strings.Cut(path, "/")
	member := collections[col].member
	w.Header().Set("Content-Type", "application/json")
	if one {
		d := a.docs[col+"/"+id]
		if d == nil || !sees(d) {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{member: d})
		return
	}
	list := []any{}
	for k, d := range a.docs {
		if strings.HasPrefix(k, col+"/") && sees(d) {
			list = append(list, map[string]any{"id": d["id"]})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{col: list})
}

// sse reads events from a stream.
type sse struct {
	t    *testing.T
	body io.ReadCloser
	ch   chan [2]string
}

func openSSE(t *testing.T, url string, hdr map[string]string) *sse {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/ui/events", nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET /ui/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{t: t, body: resp.Body, ch: make(chan [2]string, 64)}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(s.ch)
		sc := bufio.NewScanner(resp.Body)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if name != "" {
					s.ch <- [2]string{name, data}
				}
				name, data = "", ""
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s
}

func (s *sse) next(want string) map[string]any {
	s.t.Helper()
	select {
	case ev, ok := <-s.ch:
		if !ok {
			s.t.Fatalf("stream ended, want %s", want)
		}
		if ev[0] != want {
			s.t.Fatalf("event %s %s, want %s", ev[0], ev[1], want)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(ev[1]), &m); err != nil {
			s.t.Fatalf("event %s data %q: %v", ev[0], ev[1], err)
		}
		return m
	case <-time.After(5 * time.Second):
		s.t.Fatalf("no %s event within 5s", want)
	}
	return nil
}

func (s *sse) none() {
	s.t.Helper()
	select {
	case ev := <-s.ch:
		s.t.Fatalf("unexpected event %s %s", ev[0], ev[1])
	case <-time.After(300 * time.Millisecond):
	}
}

const neutron = "/midonet/data/1/neutron/"

func TestEventsFollowTheCallersView(t *testing.T) {
	store := newFakeStore()
	api := &fakeAPI{docs: map[string]map[string]any{}}
	api.set("networks", "net-a", "A")
	api.set("networks", "net-b", "B")
	h := New(Options{API: api, Auth: auth.NoAuth(), NoAuth: true, Store: store})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()

	a := openSSE(t, srv.URL, map[string]string{"X-Project-Id": "A", "X-Roles": "member"})
	a.next("ready")
	for range 4 { // the watches are running
		<-store.started
	}

	// B's new port: nothing for A. A's new port: the document.
	api.set("ports", "port-b", "B")
	store.send(t, neutron, nsdb.Event{Key: neutron + "ports/port-b", Value: []byte("{}")})
	api.set("ports", "port-a", "A")
	store.send(t, neutron, nsdb.Event{Key: neutron + "ports/port-a", Value: []byte("{}")})
	ev := a.next("change")
	if ev["collection"] != "ports" || ev["id"] != "port-a" || ev["doc"].(map[string]any)["tenant_id"] != "A" {
		t.Fatalf("change %v, want A's port with its document", ev)
	}

	// Deletes: B's network was never A's to see; A's own one is.
	api.remove("networks", "net-b")
	store.send(t, neutron, nsdb.Event{Key: neutron + "networks/net-b", Deleted: true})
	api.remove("networks", "net-a")
	store.send(t, neutron, nsdb.Event{Key: neutron + "networks/net-a", Deleted: true})
	if ev := a.next("change"); ev["id"] != "net-a" || ev["deleted"] != true {
		t.Fatalf("change %v, want net-a deleted", ev)
	}

	// A port A saw that it may no longer see is removed from its view.
	api.set("ports", "port-a", "B")
	store.send(t, neutron, nsdb.Event{Key: neutron + "ports/port-a", Value: []byte("{}")})
	if ev := a.next("change"); ev["id"] != "port-a" || ev["deleted"] != true {
		t.Fatalf("change %v, want port-a gone from A's view", ev)
	}

	// Collections the page does not draw, and other keys under the copies, say nothing.
	store.send(t, neutron, nsdb.Event{Key: neutron + "security_groups/sg", Value: []byte("{}")})
	a.none()

	// A host coming up.
	store.send(t, hosts.AlivePrefix, nsdb.Event{Key: hosts.AlivePrefix + "h1", Value: []byte("x")})
	a.next("agents")
}

func TestEventsNeedAuthentication(t *testing.T) {
	h := New(Options{API: &fakeAPI{}, Auth: refuseAll{}, Store: newFakeStore()})
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/ui/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /ui/events without a token: %d, want 401", resp.StatusCode)
	}
}

type refuseAll struct{}

func (refuseAll) Authenticate(context.Context, *http.Request) (*auth.Context, error) {
	return nil, auth.ErrUnauthorized
}

func TestEventStreamsEndOnClose(t *testing.T) {
	h := New(Options{API: &fakeAPI{docs: map[string]map[string]any{}}, Auth: auth.NoAuth(), NoAuth: true, Store: newFakeStore()})
	srv := httptest.NewServer(h)
	defer srv.Close()
	s := openSSE(t, srv.URL, nil)
	s.next("ready")
	h.Close()
	select {
	case _, ok := <-s.ch:
		if ok {
			t.Fatal("an event after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream is still open 5s after Close")
	}
}

func TestStaticPage(t *testing.T) {
	h := New(Options{API: &fakeAPI{}, Auth: auth.NoAuth(), NoAuth: true})
	for _, tc := range []struct {
		method, path string
		status       int
		contains     string
	}{
		{"GET", "/ui/", 200, `<div id="cy"`},
		{"GET", "/ui/app.js", 200, "window.midonetUI"},
		{"GET", "/ui/vendor/cytoscape/cytoscape.min.js", 200, "Cytoscape Consortium"},
		{"GET", "/ui/vendor/cytoscape/LICENSE", 200, "Permission is hereby granted"},
		{"GET", "/ui", 301, ""},
		{"POST", "/ui/", 405, ""},
		{"GET", "/ui/nothing.js", 404, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("%s %s: %d, want %d with %q", tc.method, tc.path, rec.Code, tc.status, tc.contains)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no nosniff", tc.method, tc.path)
		}
		if tc.method == "GET" && tc.path == "/ui/" && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET /ui/: CSP %q", rec.Header().Get("Content-Security-Policy"))
		}
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want map[string]any
	}{
		{Options{NoAuth: true, Trace: true}, map[string]any{"auth": "noauth", "keystone_url": "", "trace": true, "events": false}},
		{Options{KeystoneURL: "http://ks:5000", Store: newFakeStore()}, map[string]any{"auth": "keystone", "keystone_url": "http://ks:5000",
			"trace": false, "events": true}},
	} {
		tc.o.API, tc.o.Auth = &fakeAPI{}, auth.NoAuth()
		rec := httptest.NewRecorder()
		New(tc.o).ServeHTTP(rec, httptest.NewRequest("GET", "/ui/config", nil))
		var got map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("config %s = %v, want %v (%v)", k, got[k], v, got)
			}
		}
	}
}

func TestLogin(t *testing.T) {
	var gotBody map[string]any
	ks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v3/auth/tokens" || r.Method != "POST" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&gotBody)
		pw := gotBody["auth"].(map[string]any)["identity"].(map[string]any)["password"].(map[string]any)["user"].(map[string]any)["password"]
		if pw != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Subject-Token", "tok-123")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"token": {"expires_at": "2030-01-01T00:00:00Z", "user": {"id": "u1", "name": "demo"},
			"project": {"id": "p1", "name": "demo"}, "roles": [{"name": "member"}]}}`)
	}))
	defer ks.Close()
	h := New(Options{API: &fakeAPI{}, Auth: auth.NoAuth(), KeystoneURL: ks.URL + "/v3/", Log: slog.New(slog.DiscardHandler)})
	post := func(ct, body string) (*httptest.ResponseRecorder, map[string]any) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/ui/login", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec, out
	}
	rec, out := post("application/json", `{"username": "demo", "password": "secret", "project": "demo"}`)
	if rec.Code != 200 || out["token"] != "tok-123" || out["project_id"] != "p1" || out["user"] != "demo" {
		t.Fatalf("login: %d %v", rec.Code, out)
	}
	scope := gotBody["auth"].(map[string]any)["scope"].(map[string]any)["project"].(map[string]any)
	if scope["name"] != "demo" || scope["domain"].(map[string]any)["name"] != "Default" {
		t.Errorf("scope sent to Keystone: %v", scope)
	}
	if rec, out := post("application/json", `{"username": "demo", "password": "wrong", "project": "demo"}`); rec.Code != 401 ||
		!strings.Contains(out["error"].(string), "refused") {
		t.Errorf("wrong password: %d %v", rec.Code, out)
	}
	if rec, _ := post("application/x-www-form-urlencoded", `username=demo`); rec.Code != http.StatusUnsupportedMediaType {
		t.Errorf("a form post: %d, want 415", rec.Code)
	}
	if rec, _ := post("application/json", `{"username": "demo"}`); rec.Code != 400 {
		t.Errorf("no password: %d, want 400", rec.Code)
	}
	ks.Close()
	if rec, _ := post("application/json", `{"username": "demo", "password": "secret", "project": "demo"}`); rec.Code != 503 {
		t.Errorf("Keystone down: %d, want 503", rec.Code)
	}
	noauth := New(Options{API: &fakeAPI{}, Auth: auth.NoAuth(), NoAuth: true})
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/ui/login", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	noauth.ServeHTTP(rec, req)
	if rec.Code != 404 {
		t.Errorf("login in noauth mode: %d, want 404", rec.Code)
	}
}

func TestV3Root(t *testing.T) {
	for in, want := range map[string]string{
		"http://ks:5000":        "http://ks:5000/v3",
		"http://ks:5000/":       "http://ks:5000/v3",
		"http://ks:5000/v3":     "http://ks:5000/v3",
		"http://ks:5000/v2.0/":  "http://ks:5000/v3",
		"https://ks/identity/":  "https://ks/identity/v3",
		"http://ks:5000/v3?x=1": "http://ks:5000/v3",
	} {
		if got, err := v3Root(in); err != nil || got != want {
			t.Errorf("v3Root(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ks:5000", "ftp://ks"} {
		if _, err := v3Root(bad); err == nil {
			t.Errorf("v3Root(%q): no error", bad)
		}
	}
}

func TestObjectsForAdminsOnly(t *testing.T) {
	store := newFakeStore()
	// The port in its owner's bundle, a chain of the layout before bundles under its own key.
	bundle, err := nsdb.EncodeBundle([]nsdb.BundleObject{{Kind: "Port", ID: "p1", JSON: []byte(`{"id":"p1","owner":"ports/p1"}`)}})
	if err != nil {
		t.Fatal(err)
	}
	store.objects[nsdb.OwnedKey(1, "ports/p1")] = bundle
	store.objects["/midonet/data/1/topology/Chain/c1"] = []byte(`{"id":"c1","owner":"ports/p1","name":"in"}`)
	store.objects["/midonet/data/1/topology/Chain/c2"] = []byte(`{"id":"c2","owner":"ports/p10","name":"other"}`)
	h := New(Options{API: &fakeAPI{}, Auth: auth.NoAuth(), NoAuth: true, Store: store})
	get := func(roles string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/ui/objects?collection=ports&id=p1", nil)
		if roles != "" {
			req.Header.Set("X-Roles", roles)
		}
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	if code, _ := get("member"); code != 403 {
		t.Errorf("a member: %d, want 403", code)
	}
	code, out := get("")
	objs, _ := out["objects"].([]any)
	if code != 200 || len(objs) != 2 || objs[0].(map[string]any)["kind"] != "Chain" || objs[1].(map[string]any)["kind"] != "Port" {
		t.Errorf("an admin: %d %v", code, out)
	}
}

func TestNewDataVersionResyncs(t *testing.T) {
	store := newFakeStore()
	h := New(Options{API: &fakeAPI{docs: map[string]map[string]any{}}, Auth: auth.NoAuth(), NoAuth: true, Store: store})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()
	s := openSSE(t, srv.URL, nil)
	s.next("ready")
	for range 4 {
		<-store.started
	}
	store.send(t, nsdb.ActiveVersionKey, nsdb.Event{Key: nsdb.ActiveVersionKey, Value: []byte("2")})
	s.next("resync")
	for range 4 { // watching again
		<-store.started
	}
}
