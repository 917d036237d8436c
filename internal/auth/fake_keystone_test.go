package auth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source shared by the fake and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeUser is what a user token stands for.
type fakeUser struct {
	userID, userName, projectID, projectName string
	roles                                    []string
	expires                                  time.Time
}

// fakeKeystone implements the two calls the client makes: password
// authentication and token validation, with service tokens that expire by the
// shared clock and can be revoked.
type fakeKeystone struct {
	t     *testing.T
	clock *clock
	srv   *httptest.Server

	mu          sync.Mutex
	users       map[string]fakeUser  // user token -> identity
	svcTokens   map[string]time.Time // service token -> expiry
	svcTTL      time.Duration
	issued      int // service tokens issued
	validations int // GET /v3/auth/tokens calls
	rejected401 int // validations refused because of the service token
	status      int // when non-zero, every call answers this
	delay       time.Duration
}

const (
	svcUser = "neutron"
	svcPass = "service-pw"
)

func newFakeKeystone(t *testing.T, clk *clock) *fakeKeystone {
	f := &fakeKeystone{
		t: t, clock: clk,
		users:     map[string]fakeUser{},
		svcTokens: map[string]time.Time{},
		svcTTL:    time.Hour,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/auth/tokens", f.issue)
	mux.HandleFunc("GET /v3/auth/tokens", f.validate)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKeystone) addUser(token string, u fakeUser) {
	f.mu.Lock()
	f.users[token] = u
	f.mu.Unlock()
}

func (f *fakeKeystone) revokeServiceTokens() {
	f.mu.Lock()
	clear(f.svcTokens)
	f.mu.Unlock()
}

func (f *fakeKeystone) set(fn func(f *fakeKeystone)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

func (f *fakeKeystone) counts() (issued, validations int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued, f.validations
}

func (f *fakeKeystone) client(extra func(*KeystoneOptions)) *Keystone {
	f.t.Helper()
	o := KeystoneOptions{
		AuthURL: f.srv.URL, Username: svcUser, Password: svcPass, ProjectName: "service",
	}
	if extra != nil {
		extra(&o)
	}
	k, err := NewKeystone(o)
	if err != nil {
		f.t.Fatal(err)
	}
	k.now = f.clock.Now
	return k
}

func (f *fakeKeystone) pause() (int, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status, f.delay
}

func tokenDoc(u fakeUser) map[string]any {
	roles := []map[string]string{}
	for _, r := range u.roles {
		roles = append(roles, map[string]string{"id": "id-" + r, "name": r})
	}
	tok := map[string]any{
		"methods":    []string{"password"},
		"user":       map[string]any{"id": u.userID, "name": u.userName, "domain": map[string]string{"id": "default", "name": "Default"}},
		"roles":      roles,
		"expires_at": u.expires.UTC().Format("2006-01-02T15:04:05.000000Z"),
	}
	if u.projectID != "" {
		tok["project"] = map[string]any{"id": u.projectID, "name": u.projectName}
	}
	return map[string]any{"token": tok}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeKeystone) issue(w http.ResponseWriter, r *http.Request) {
	if status, delay := f.pause(); status != 0 {
		time.Sleep(delay)
		writeJSON(w, status, map[string]any{"error": map[string]any{"code": status}})
		return
	}
	var req authRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	u := req.Auth.Identity.Password.User
	if u.Name != svcUser || u.Password != svcPass || u.Domain.Name != "Default" ||
		req.Auth.Scope == nil || req.Auth.Scope.Project.Name != "service" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401}})
		return
	}
	f.mu.Lock()
	f.issued++
	tok := fmt.Sprintf("svc-%d", f.issued)
	exp := f.clock.Now().Add(f.svcTTL)
	f.svcTokens[tok] = exp
	f.mu.Unlock()
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, http.StatusCreated, tokenDoc(fakeUser{
		userID: "svc-id", userName: svcUser, projectID: "svc-project", projectName: "service",
		roles: []string{"admin", "service"}, expires: exp,
	}))
}

func (f *fakeKeystone) validate(w http.ResponseWriter, r *http.Request) {
	status, delay := f.pause()
	time.Sleep(delay)
	now := f.clock.Now()
	f.mu.Lock()
	f.validations++
	if status != 0 {
		f.mu.Unlock()
		writeJSON(w, status, map[string]any{"error": map[string]any{"code": status}})
		return
	}
	svcExp, ok := f.svcTokens[r.Header.Get("X-Auth-Token")]
	if !ok || !now.Before(svcExp) {
		f.rejected401++
		f.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401}})
		return
	}
	u, ok := f.users[r.Header.Get("X-Subject-Token")]
	f.mu.Unlock()
	if !ok || !now.Before(u.expires) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": map[string]any{"code": 404}})
		return
	}
	w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
	writeJSON(w, http.StatusOK, tokenDoc(u))
}
