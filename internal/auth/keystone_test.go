package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"
)

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v2.0/networks", nil)
	if token != "" {
		r.Header.Set("X-Auth-Token", token)
	}
	return r
}

func authenticate(k *Keystone, token string) (*Context, error) {
	return k.Authenticate(context.Background(), request(token))
}

func setup(t *testing.T) (*fakeKeystone, *clock) {
	clk := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	f := newFakeKeystone(t, clk)
	f.addUser("demo-token", fakeUser{
		userID: "u-demo", userName: "demo", projectID: "p-demo", projectName: "demo",
		roles: []string{"member", "Reader"}, expires: clk.Now().Add(4 * time.Hour),
	})
	f.addUser("admin-token", fakeUser{
		userID: "u-admin", userName: "admin", projectID: "p-admin", projectName: "admin",
		roles: []string{"admin", "member", "reader"}, expires: clk.Now().Add(4 * time.Hour),
	})
	f.addUser("domain-token", fakeUser{
		userID: "u-dom", userName: "dom", roles: []string{"member"}, expires: clk.Now().Add(time.Hour),
	})
	return f, clk
}

func TestKeystoneAuthenticate(t *testing.T) {
	f, clk := setup(t)
	k := f.client(nil)
	exp := clk.Now().Add(4 * time.Hour)
	tests := []struct {
		name    string
		token   string
		want    *Context
		wantErr error
	}{
		{"member", "demo-token", &Context{
			UserID: "u-demo", UserName: "demo", ProjectID: "p-demo", ProjectName: "demo",
			Roles: []string{"member", "reader"}, Token: "demo-token", ExpiresAt: exp,
		}, nil},
		{"admin", "admin-token", &Context{
			UserID: "u-admin", UserName: "admin", ProjectID: "p-admin", ProjectName: "admin",
			Roles: []string{"admin", "member", "reader"}, IsAdmin: true, Token: "admin-token", ExpiresAt: exp,
		}, nil},
		{"not project scoped", "domain-token", &Context{
			UserID: "u-dom", UserName: "dom", Roles: []string{"member"}, Token: "domain-token",
			ExpiresAt: clk.Now().Add(time.Hour),
		}, nil},
		{"unknown token", "bogus", nil, ErrUnauthorized},
		{"no token", "", nil, ErrUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := authenticate(k, tc.token)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || errors.Is(err, ErrUnavailable) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, v := f.counts(); v != 4 {
		t.Errorf("validations = %d, want 4 (no call without a token)", v)
	}
}

func TestKeystoneCachesValidTokens(t *testing.T) {
	f, clk := setup(t)
	k := f.client(func(o *KeystoneOptions) { o.CacheTTL = time.Minute })
	steps := []struct {
		advance         time.Duration
		wantValidations int
	}{
		{0, 1},
		{0, 1},                // cached
		{30 * time.Second, 1}, // still cached
		{31 * time.Second, 2}, // CacheTTL passed: asked again
		{10 * time.Second, 2},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		c, err := authenticate(k, "demo-token")
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if c.ProjectName != "demo" || c.Token != "demo-token" {
			t.Fatalf("step %d: wrong context %+v", i, c)
		}
		if _, v := f.counts(); v != s.wantValidations {
			t.Fatalf("step %d: validations = %d, want %d", i, v, s.wantValidations)
		}
	}
}

func TestKeystoneCacheDisabled(t *testing.T) {
	f, _ := setup(t)
	k := f.client(func(o *KeystoneOptions) { o.CacheTTL = -1; o.NegativeTTL = -1 })
	for range 3 {
		if _, err := authenticate(k, "demo-token"); err != nil {
			t.Fatal(err)
		}
		_, _ = authenticate(k, "bogus")
	}
	if _, v := f.counts(); v != 6 {
		t.Errorf("validations = %d, want 6 with caching off", v)
	}
}

func TestKeystoneCacheBoundedByExpiry(t *testing.T) {
	f, clk := setup(t)
	f.addUser("short", fakeUser{userID: "u", projectID: "p", roles: []string{"member"},
		expires: clk.Now().Add(10 * time.Second)})
	k := f.client(func(o *KeystoneOptions) { o.CacheTTL = time.Hour })
	if _, err := authenticate(k, "short"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(9 * time.Second)
	if _, err := authenticate(k, "short"); err != nil {
		t.Fatal(err)
	}
	if _, v := f.counts(); v != 1 {
		t.Fatalf("validations = %d before expiry, want 1", v)
	}
	clk.Advance(2 * time.Second)
	if _, err := authenticate(k, "short"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("expired token: err = %v, want ErrUnauthorized", err)
	}
	if _, v := f.counts(); v != 2 {
		t.Fatalf("validations = %d after expiry, want 2", v)
	}
}

func TestKeystoneNegativeCache(t *testing.T) {
	f, clk := setup(t)
	k := f.client(func(o *KeystoneOptions) { o.NegativeTTL = 3 * time.Second })
	steps := []struct {
		advance         time.Duration
		wantValidations int
	}{
		{0, 1}, {0, 1}, {2 * time.Second, 1}, {2 * time.Second, 2}, {0, 2},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if _, err := authenticate(k, "bogus"); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("step %d: err = %v", i, err)
		}
		if _, v := f.counts(); v != s.wantValidations {
			t.Fatalf("step %d: validations = %d, want %d", i, v, s.wantValidations)
		}
	}
	// A token that becomes valid is accepted once the rejection lapses.
	f.addUser("bogus", fakeUser{userID: "u", expires: clk.Now().Add(time.Hour)})
	clk.Advance(4 * time.Second)
	if _, err := authenticate(k, "bogus"); err != nil {
		t.Fatal(err)
	}
}

func TestKeystoneRenewsExpiredServiceToken(t *testing.T) {
	f, clk := setup(t)
	f.set(func(f *fakeKeystone) { f.svcTTL = 10 * time.Minute })
	k := f.client(func(o *KeystoneOptions) { o.CacheTTL = -1 })
	steps := []struct {
		advance    time.Duration
		wantIssued int
	}{
		{0, 1},
		{5 * time.Minute, 1},
		{4*time.Minute + 20*time.Second, 1}, // 9:20 of 10 minutes: still good
		{20 * time.Second, 2},               // 9:40: inside the 30 s renewal margin
		{time.Minute, 2},
		{time.Hour, 3},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if _, err := authenticate(k, "demo-token"); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if issued, _ := f.counts(); issued != s.wantIssued {
			t.Fatalf("step %d: service tokens issued = %d, want %d", i, issued, s.wantIssued)
		}
	}
	var rejected int
	f.set(func(f *fakeKeystone) { rejected = f.rejected401 })
	if rejected != 0 {
		t.Errorf("%d validations used an expired service token", rejected)
	}
}

func TestKeystoneRenewsRejectedServiceToken(t *testing.T) {
	f, _ := setup(t)
	k := f.client(nil)
	if _, err := authenticate(k, "demo-token"); err != nil {
		t.Fatal(err)
	}
	f.revokeServiceTokens()
	c, err := authenticate(k, "admin-token")
	if err != nil {
		t.Fatalf("after the service token was revoked: %v", err)
	}
	if !c.IsAdmin {
		t.Errorf("admin-token not admin: %+v", c)
	}
	issued, validations := f.counts()
	if issued != 2 || validations != 3 {
		t.Errorf("issued %d validations %d, want 2 and 3 (one 401, one retry)", issued, validations)
	}
}

func TestKeystoneUnavailable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fakeKeystone) *Keystone
	}{
		{"server down", func(f *fakeKeystone) *Keystone {
			k := f.client(nil)
			f.srv.Close()
			return k
		}},
		{"server error", func(f *fakeKeystone) *Keystone {
			f.set(func(f *fakeKeystone) { f.status = http.StatusInternalServerError })
			return f.client(nil)
		}},
		{"wrong service password", func(f *fakeKeystone) *Keystone {
			return f.client(func(o *KeystoneOptions) { o.Password = "wrong" })
		}},
		{"service token always rejected", func(f *fakeKeystone) *Keystone {
			f.set(func(f *fakeKeystone) { f.svcTTL = -time.Second })
			return f.client(nil)
		}},
		{"timeout", func(f *fakeKeystone) *Keystone {
			f.set(func(f *fakeKeystone) { f.status, f.delay = http.StatusOK, 300*time.Millisecond })
			return f.client(func(o *KeystoneOptions) { o.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond} })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := setup(t)
			k := tc.setup(f)
			for i := range 2 { // not cached: both attempts fail the same way
				_, err := authenticate(k, "demo-token")
				if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrUnauthorized) {
					t.Fatalf("attempt %d: err = %v, want ErrUnavailable", i, err)
				}
			}
		})
	}
}

func TestKeystoneRecoversAfterOutage(t *testing.T) {
	f, _ := setup(t)
	k := f.client(nil)
	f.set(func(f *fakeKeystone) { f.status = http.StatusServiceUnavailable })
	if _, err := authenticate(k, "demo-token"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	f.set(func(f *fakeKeystone) { f.status = 0 })
	if _, err := authenticate(k, "demo-token"); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

func TestKeystoneCallerCancellation(t *testing.T) {
	f, _ := setup(t)
	f.set(func(f *fakeKeystone) { f.delay = 300 * time.Millisecond })
	k := f.client(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := k.Authenticate(ctx, request("demo-token"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want the caller's deadline", err)
	}
	// The validation carried on without the caller; its answer is cached.
	time.Sleep(400 * time.Millisecond)
	f.set(func(f *fakeKeystone) { f.delay = 0 })
	if _, err := authenticate(k, "demo-token"); err != nil {
		t.Fatal(err)
	}
	if _, v := f.counts(); v != 1 {
		t.Errorf("validations = %d, want 1", v)
	}
}

func TestKeystoneConcurrentRequestsShareValidations(t *testing.T) {
	f, clk := setup(t)
	f.set(func(f *fakeKeystone) { f.delay = 50 * time.Millisecond })
	const tokens = 5
	for i := range tokens {
		f.addUser(fmt.Sprintf("tok-%d", i), fakeUser{
			userID: fmt.Sprintf("u%d", i), projectID: fmt.Sprintf("p%d", i),
			roles: []string{"member"}, expires: clk.Now().Add(time.Hour),
		})
	}
	k := f.client(nil)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for g := range 200 {
		wg.Go(func() {
			i := g % (tokens + 1)
			tok := fmt.Sprintf("tok-%d", i)
			c, err := authenticate(k, tok)
			switch {
			case i == tokens: // no such user
				if !errors.Is(err, ErrUnauthorized) {
					errs <- fmt.Errorf("%s: err = %v", tok, err)
				}
			case err != nil:
				errs <- fmt.Errorf("%s: %w", tok, err)
			case c.UserID != fmt.Sprintf("u%d", i) || c.Token != tok:
				errs <- fmt.Errorf("%s: got %+v", tok, c)
			default:
				c.Roles[0] = "mutated" // must not reach the cache
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	issued, v := f.counts()
	if v != tokens+1 || issued != 1 {
		t.Errorf("validations = %d, issued = %d; want %d and 1", v, issued, tokens+1)
	}
	c, err := authenticate(k, "tok-0")
	if err != nil || !reflect.DeepEqual(c.Roles, []string{"member"}) {
		t.Errorf("cached context was changed by a caller: %+v, %v", c, err)
	}
}

func TestKeystoneCacheIsBounded(t *testing.T) {
	f, _ := setup(t)
	k := f.client(func(o *KeystoneOptions) { o.MaxCacheEntries = 10 })
	for i := range 50 {
		_, _ = authenticate(k, fmt.Sprintf("bad-%d", i))
	}
	k.mu.Lock()
	n := len(k.cache)
	k.mu.Unlock()
	if n > 10 {
		t.Errorf("cache holds %d entries, limit 10", n)
	}
}

func TestV3Base(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{in: "http://127.0.0.1:5000", want: "http://127.0.0.1:5000/v3"},
		{in: "http://127.0.0.1:5000/", want: "http://127.0.0.1:5000/v3"},
		{in: "http://127.0.0.1:5000/v3", want: "http://127.0.0.1:5000/v3"},
		{in: "http://127.0.0.1:5000/v3/", want: "http://127.0.0.1:5000/v3"},
		{in: "https://cloud.example/identity", want: "https://cloud.example/identity/v3"},
		{in: "https://cloud.example/identity/v3", want: "https://cloud.example/identity/v3"},
		{in: "http://h:5000/v2.0", want: "http://h:5000/v3"},
		{in: " http://h:5000 ", want: "http://h:5000/v3"},
		{in: "", bad: true},
		{in: "127.0.0.1:5000", bad: true},
		{in: "ftp://h/", bad: true},
	}
	for _, tc := range tests {
		got, err := V3Base(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("V3Base(%q) = %q, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("V3Base(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNewKeystoneValidates(t *testing.T) {
	tests := []struct {
		name string
		opts KeystoneOptions
	}{
		{"no url", KeystoneOptions{Username: "u", Password: "p"}},
		{"no user", KeystoneOptions{AuthURL: "http://h:5000", Password: "p"}},
		{"no password", KeystoneOptions{AuthURL: "http://h:5000", Username: "u"}},
	}
	for _, tc := range tests {
		if _, err := NewKeystone(tc.opts); err == nil {
			t.Errorf("%s: NewKeystone succeeded", tc.name)
		}
	}
}
