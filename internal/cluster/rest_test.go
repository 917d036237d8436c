package cluster

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
)

// clock is a settable time source for the REST endpoint's token store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// login calls the endpoint's login as a client would and returns the answer and the token.
func login(t *testing.T, s *RESTServer, user, pw string, basic bool) (*httptest.ResponseRecorder, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/midonet-api/login", nil)
	if basic {
		req.SetBasicAuth(user, pw)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "sessionId" {
			return rec, c.Value
		}
	}
	return rec, ""
}

// get asks for the endpoint's root document (no cluster needed) with a token and returns
// the status.
func get(s *RESTServer, header, cookie string) int {
	req := httptest.NewRequest(http.MethodGet, "/midonet-api/", nil)
	if header != "" {
		req.Header.Set("X-Auth-Token", header)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "sessionId", Value: cookie})
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code
}

func TestRESTLoginCredentials(t *testing.T) {
	s := &RESTServer{Username: "admin", Password: "s3cret-pw"}
	refused, _ := login(t, s, "admin", "wrong", true)
	refusedBody := refused.Body.String()
	for _, tc := range []struct {
		name, user, pw string
		basic          bool
		want           int
	}{
		{"right", "admin", "s3cret-pw", true, http.StatusOK},
		{"wrong password", "admin", "s3cret-pX", true, http.StatusUnauthorized},
		{"password prefix", "admin", "s3cret", true, http.StatusUnauthorized},
		{"password longer", "admin", "s3cret-pw!", true, http.StatusUnauthorized},
		{"empty password", "admin", "", true, http.StatusUnauthorized},
		{"password case", "admin", "S3CRET-PW", true, http.StatusUnauthorized},
		{"wrong user, right password", "root", "s3cret-pw", true, http.StatusUnauthorized},
		{"user prefix, right password", "adm", "s3cret-pw", true, http.StatusUnauthorized},
		{"no credentials", "", "", false, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, tok := login(t, s, tc.user, tc.pw, tc.basic)
			if rec.Code != tc.want {
				t.Fatalf("login = %d %s, want %d", rec.Code, rec.Body, tc.want)
			}
			if tc.want != http.StatusOK {
				// Every refusal looks the same: nothing tells which part was wrong.
				if tok != "" || rec.Body.String() != refusedBody || rec.Header().Get("WWW-Authenticate") == "" {
					t.Fatalf("refusal = token %q, body %q, WWW-Authenticate %q; want no token, body %q and a challenge",
						tok, rec.Body, rec.Header().Get("WWW-Authenticate"), refusedBody)
				}
				return
			}
			if tok == "" || get(s, tok, "") != http.StatusOK || get(s, "", tok) != http.StatusOK {
				t.Fatalf("token %q from a good login is not accepted (header and cookie)", tok)
			}
		})
	}
}

// TestSecretEqual: the comparison is exact whatever the lengths (both sides are hashed to one
// length before the constant-time compare, so neither a prefix nor a length difference
// leaks through an early return).
func TestSecretEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"passw0rd", "passw0rd", 1},
		{"", "", 1},
		{"passw0rd", "passw0r", 0},
		{"passw0rd", "passw0rdd", 0},
		{"passw0rd", "", 0},
		{"passw0rd", "Passw0rd", 0},
		{strings.Repeat("x", 10000), strings.Repeat("x", 10000), 1},
		{strings.Repeat("x", 10000), strings.Repeat("x", 9999) + "y", 0},
	} {
		if got := secretEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("secretEqual(%.12q, %.12q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestRESTRefusesWithoutValidToken(t *testing.T) {
	s := &RESTServer{Username: "admin", Password: "pw"}
	_, good := login(t, s, "admin", "pw", true)
	for _, tc := range []struct {
		name, method, path, token string
	}{
		{"root without token", http.MethodGet, "/midonet-api/", ""},
		{"read without token", http.MethodGet, "/midonet-api/neutron/networks/" + netID, ""},
		{"create without token", http.MethodPost, "/midonet-api/neutron/networks", ""},
		{"delete without token", http.MethodDelete, "/midonet-api/neutron/networks/" + netID, ""},
		{"made-up token", http.MethodDelete, "/midonet-api/neutron/networks/" + netID, strings.Repeat("0", 64)},
		{"token with a changed character", http.MethodGet, "/midonet-api/", good[:len(good)-1] + "x"},
		{"token prefix", http.MethodGet, "/midonet-api/", good[:32]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"id": "`+netID+`"}`))
			if tc.token != "" {
				req.Header.Set("X-Auth-Token", tc.token)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("%s %s = %d %s, want 401", tc.method, tc.path, rec.Code, rec.Body)
			}
		})
	}
}

func TestRESTTokensExpire(t *testing.T) {
	clk := newClock()
	s := &RESTServer{Username: "admin", Password: "pw", TokenTTL: 10 * time.Minute, Now: clk.Now}
	rec, tok := login(t, s, "admin", "pw", true)
	if rec.Code != http.StatusOK || tok == "" {
		t.Fatalf("login = %d %s", rec.Code, rec.Body)
	}
	if c := rec.Result().Cookies()[0]; c.MaxAge != 600 || !c.HttpOnly {
		t.Errorf("session cookie = %+v, want MaxAge 600 and HttpOnly", c)
	}
	if !strings.Contains(rec.Body.String(), clk.Now().Add(10*time.Minute).Format(time.RFC3339)) {
		t.Errorf("login answer %s does not name the expiry", rec.Body)
	}
	clk.Advance(10*time.Minute - time.Second)
	if got := get(s, tok, ""); got != http.StatusOK {
		t.Fatalf("token refused before its expiry: %d", got)
	}
	clk.Advance(time.Second)
	if got := get(s, tok, ""); got != http.StatusUnauthorized {
		t.Fatalf("token accepted at its expiry: %d", got)
	}
	if n := s.LiveTokens(); n != 0 {
		t.Fatalf("an expired token is still held (%d tokens)", n)
	}
	// The default lifetime is an hour.
	d := &RESTServer{Username: "admin", Password: "pw", Now: clk.Now}
	_, tok = login(t, d, "admin", "pw", true)
	clk.Advance(time.Hour)
	if got := get(d, tok, ""); got != http.StatusUnauthorized {
		t.Fatalf("token accepted after the default lifetime: %d", got)
	}
}

func TestRESTTokensAreBounded(t *testing.T) {
	t.Run("oldest evicted beyond the cap", func(t *testing.T) {
		s := &RESTServer{Username: "admin", Password: "pw", MaxTokens: 3}
		var toks []string
		for i := 0; i < 5; i++ {
			_, tok := login(t, s, "admin", "pw", true)
			toks = append(toks, tok)
		}
		if n := s.LiveTokens(); n != 3 {
			t.Fatalf("%d tokens held, want the cap 3", n)
		}
		for i, tok := range toks {
			want := http.StatusOK
			if i < 2 {
				want = http.StatusUnauthorized
			}
			if got := get(s, tok, ""); got != want {
				t.Errorf("token %d of 5 (cap 3) = %d, want %d", i+1, got, want)
			}
		}
	})
	t.Run("login flood with the default cap", func(t *testing.T) {
		s := &RESTServer{Username: "admin", Password: "pw"}
		var last string
		for i := 0; i < 3*DefaultMaxTokens; i++ {
			_, last = login(t, s, "admin", "pw", true)
		}
		if n := s.LiveTokens(); n != DefaultMaxTokens {
			t.Fatalf("%d tokens held after %d logins, want %d", n, 3*DefaultMaxTokens, DefaultMaxTokens)
		}
		if get(s, last, "") != http.StatusOK {
			t.Fatal("the newest token is refused")
		}
	})
	t.Run("expired tokens make room first", func(t *testing.T) {
		clk := newClock()
		s := &RESTServer{Username: "admin", Password: "pw", MaxTokens: 10, TokenTTL: time.Minute, Now: clk.Now}
		for i := 0; i < 10; i++ {
			login(t, s, "admin", "pw", true)
		}
		clk.Advance(time.Minute)
		_, tok := login(t, s, "admin", "pw", true)
		if n := s.LiveTokens(); n != 1 || get(s, tok, "") != http.StatusOK {
			t.Fatalf("after the others expired: %d tokens held, want only the new one", n)
		}
	})
	t.Run("bad logins hold nothing", func(t *testing.T) {
		s := &RESTServer{Username: "admin", Password: "pw"}
		for i := 0; i < 100; i++ {
			login(t, s, "admin", "guess", true)
		}
		if n := s.LiveTokens(); n != 0 {
			t.Fatalf("%d tokens held after refused logins", n)
		}
	})
}

// TestRESTClientLogsInAgainAfterExpiry: a client whose token expired (or was evicted) gets a
// 401, logs in again and its call goes through.
func TestRESTClientLogsInAgainAfterExpiry(t *testing.T) {
	e := newEnv(t)
	clk := newClock()
	rs := &RESTServer{Cluster: e.c, Username: "admin", Password: "pw", TokenTTL: time.Minute, MaxTokens: 2, Now: clk.Now}
	var logins, unauthorized atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/login") {
			logins.Add(1)
		}
		rec := httptest.NewRecorder()
		rs.ServeHTTP(rec, r)
		if rec.Code == http.StatusUnauthorized {
			unauthorized.Add(1)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	ctx := context.Background()
	cl := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "pw"}
	if err := cl.Send(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}); err != nil {
		t.Fatal(err)
	}
	if logins.Load() != 1 || unauthorized.Load() != 0 {
		t.Fatalf("first call: %d logins, %d refusals; want 1 and 0", logins.Load(), unauthorized.Load())
	}
	clk.Advance(time.Minute)
	if err := cl.Send(ctx, []Change{{Type: "UPDATE", Collection: "networks", ID: netID, Doc: netDoc(2)}}); err != nil {
		t.Fatalf("call after the token expired: %v", err)
	}
	if logins.Load() != 2 || unauthorized.Load() != 1 {
		t.Fatalf("after expiry: %d logins, %d refusals; want 2 and 1", logins.Load(), unauthorized.Load())
	}
	// Evicted by two other logins (cap 2): the same.
	login(t, rs, "admin", "pw", true)
	login(t, rs, "admin", "pw", true)
	if err := cl.Send(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: netID}}); err != nil {
		t.Fatalf("call after the token was evicted: %v", err)
	}
	if logins.Load() != 3 || unauthorized.Load() != 2 {
		t.Fatalf("after eviction: %d logins, %d refusals; want 3 and 2", logins.Load(), unauthorized.Load())
	}
	if e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("the delete sent after a new login did not reach the NSDB")
	}
	// A wrong password is a 401 error, not a loop.
	bad := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "nope"}
	var re *RESTError
	if err := bad.Send(ctx, []Change{{Type: "DELETE", Collection: "networks", ID: netID}}); !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Fatalf("send with a wrong password = %v, want a 401 RESTError", err)
	}
}

func TestCheckExposure(t *testing.T) {
	for _, tc := range []struct {
		host, password string
		refused        bool
	}{
		{"127.0.0.1", DefaultPassword, false},
		{"127.3.2.1", DefaultPassword, false},
		{"::1", "", false},
		{"localhost", DefaultPassword, false},
		{"0.0.0.0", DefaultPassword, true},
		{"", DefaultPassword, true},
		{"::", DefaultPassword, true},
		{"10.1.2.3", DefaultPassword, true},
		{"10.1.2.3", "", true},
		{"cluster.example", DefaultPassword, true},
		{"0.0.0.0", "a-real-secret", false},
		{"10.1.2.3", "a-real-secret", false},
	} {
		err := CheckExposure(tc.host, tc.password)
		if (err != nil) != tc.refused {
			t.Errorf("CheckExposure(%q, %q) = %v, want refused %v", tc.host, tc.password, err, tc.refused)
		}
		if err != nil && !strings.Contains(err.Error(), "refusing to listen") {
			t.Errorf("CheckExposure(%q, %q) error %q does not say it refuses", tc.host, tc.password, err)
		}
	}
}

func TestRESTRefusesOversizedBody(t *testing.T) {
	loaded := make(chan struct{})
	close(loaded)
	s := &RESTServer{Cluster: &Cluster{catalog: testCatalog, loaded: loaded}, Username: "admin", Password: "pw"}
	_, token := login(t, s, "admin", "pw", true)
	body := `{"id": "` + netID + `", "name": "` + strings.Repeat("x", maxRESTBody) + `"}`
	req := httptest.NewRequest(http.MethodPost, "/midonet-api/neutron/networks", strings.NewReader(body))
	req.Header.Set("X-Auth-Token", token)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("POST of %d bytes = %d %s, want 413", len(body), rec.Code, rec.Body)
	}
}

// TestRESTWhileLoading: until the cluster has loaded the topology, a change sent to the REST
// endpoint is answered 503 saying it is syncing (after SyncWait), and nothing is applied;
// once loaded, the same call is applied.
func TestRESTWhileLoading(t *testing.T) {
	e := newEnv(t)
	c := newCluster(t, e.store) // not loaded yet
	s := &RESTServer{Cluster: c, Username: "admin", Password: "pw", SyncWait: 10 * time.Millisecond}
	_, token := login(t, s, "admin", "pw", true)
	body := `{"id": "` + netID + `", "name": "n", "tenant_id": "p", "admin_state_up": true}`
	post := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/midonet-api/neutron/networks", strings.NewReader(body))
		req.Header.Set("X-Auth-Token", token)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	rec := post()
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "syncing") {
		t.Fatalf("POST while loading = %d %s, want 503 saying it is syncing", rec.Code, rec.Body)
	}
	if c.Neutron("networks", netID) != nil {
		t.Fatal("the network was applied before the cluster loaded")
	}
	if err := c.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Applied, and answered with the resource as it was sent.
	if rec := post(); rec.Code != http.StatusCreated || rec.Body.String() != body || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("POST once loaded = %d %s %q, want 201 and the document sent", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	n := c.Neutron("networks", netID)
	if n == nil {
		t.Fatal("the network was not applied once the cluster loaded")
	}
	if n["name"] != "n" || n["tenant_id"] != "p" || n["admin_state_up"] != true {
		t.Fatalf("the cluster's copy %v, want the document sent", n)
	}
}
