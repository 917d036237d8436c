package nova

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// AuthOptions are [nova]'s keystoneauth password options and where Nova is.
type AuthOptions struct {
	AuthURL, Username, Password, ProjectName, UserDomainName, ProjectDomainName string
	// Region and Interface pick the compute endpoint of the catalog (any region when
	// Region is empty; Interface public, internal or admin).
	Region, Interface string
	// EndpointOverride is Nova's URL instead of the catalog's.
	EndpointOverride string
	HTTP             *http.Client
}

// session holds the [nova] user's token and Nova's endpoint from its catalog.
type session struct {
	opts     AuthOptions
	mu       sync.Mutex
	token    string
	renewAt  time.Time
	endpoint string
}

func newSession(o AuthOptions) *session {
	if o.UserDomainName == "" {
		o.UserDomainName = "Default"
	}
	if o.ProjectDomainName == "" {
		o.ProjectDomainName = "Default"
	}
	if o.Interface == "" {
		o.Interface = "public"
	}
	o.Interface = strings.TrimSuffix(o.Interface, "URL") // publicURL, as older configurations say
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	return &session{opts: o}
}

type named struct {
	Name string `json:"name"`
}

// unreachableError is a request that never got an answer: worth retrying.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }
func (e *unreachableError) Unwrap() error { return e.err }

func transport(what string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "connection refused") {
		return &unreachableError{fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// get returns a token and Nova's endpoint, authenticating when there is no valid token.
func (s *session) get(ctx context.Context) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && time.Now().Before(s.renewAt) {
		return s.token, s.endpoint, nil
	}
	tok, exp, ep, err := s.authenticate(ctx)
	if err != nil {
		return "", "", err
	}
	life := time.Until(exp)
	s.token, s.endpoint, s.renewAt = tok, ep, exp.Add(-min(life/2, 30*time.Second))
	return tok, ep, nil
}

// drop forgets a token Nova refused.
func (s *session) drop(tok string) {
	s.mu.Lock()
	if s.token == tok {
		s.token = ""
	}
	s.mu.Unlock()
}

type catalogEntry struct {
	Type      string `json:"type"`
	Endpoints []struct {
		Interface string `json:"interface"`
		Region    string `json:"region"`
		RegionID  string `json:"region_id"`
		URL       string `json:"url"`
	} `json:"endpoints"`
}

// authenticate logs the [nova] user in by password (POST /v3/auth/tokens, scoped to its
// project) and finds the compute endpoint in the token's catalog.
func (s *session) authenticate(ctx context.Context) (string, time.Time, string, error) {
	o := s.opts
	base := strings.TrimRight(o.AuthURL, "/")
	if !strings.HasSuffix(base, "/v3") {
		base += "/v3"
	}
	var body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Domain   named  `json:"domain"`
						Password string `json:"password"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope *struct {
				Project struct {
					Name   string `json:"name"`
					Domain named  `json:"domain"`
				} `json:"project"`
			} `json:"scope,omitempty"`
		} `json:"auth"`
	}
	id := &body.Auth.Identity
	id.Methods = []string{"password"}
	id.Password.User.Name, id.Password.User.Password = o.Username, o.Password
	id.Password.User.Domain.Name = o.UserDomainName
	if o.ProjectName != "" {
		body.Auth.Scope = &struct {
			Project struct {
				Name   string `json:"name"`
				Domain named  `json:"domain"`
			} `json:"project"`
		}{}
		body.Auth.Scope.Project.Name, body.Auth.Scope.Project.Domain.Name = o.ProjectName, o.ProjectDomainName
	}
	payload, _ := json.Marshal(&body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/auth/tokens", bytes.NewReader(payload))
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("nova: keystone auth_url %q: %w", o.AuthURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return "", time.Time{}, "", transport("nova: keystone", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return "", time.Time{}, "", transport("nova: keystone", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return "", time.Time{}, "", fmt.Errorf("nova: keystone refused the [nova] user %q (project %q): %d %s",
			o.Username, o.ProjectName, resp.StatusCode, short(raw))
	}
	var tok struct {
		Token struct {
			ExpiresAt time.Time      `json:"expires_at"`
			Catalog   []catalogEntry `json:"catalog"`
		} `json:"token"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil {
		return "", time.Time{}, "", fmt.Errorf("nova: keystone's token: %w", err)
	}
	token := resp.Header.Get("X-Subject-Token")
	if token == "" {
		return "", time.Time{}, "", errors.New("nova: keystone's answer has no X-Subject-Token")
	}
	exp := tok.Token.ExpiresAt
	if exp.IsZero() {
		exp = time.Now().Add(time.Hour)
	}
	ep := o.EndpointOverride
	if ep == "" {
		if ep, err = computeEndpoint(tok.Token.Catalog, o.Region, o.Interface); err != nil {
			return "", time.Time{}, "", err
		}
	}
	return token, exp, strings.TrimRight(ep, "/"), nil
}

// computeEndpoint picks Nova's URL from a catalog.
func computeEndpoint(catalog []catalogEntry, region, iface string) (string, error) {
	for _, c := range catalog {
		if c.Type != "compute" {
			continue
		}
		for _, e := range c.Endpoints {
			if e.Interface == iface && (region == "" || e.Region == region || e.RegionID == region) {
				return e.URL, nil
			}
		}
	}
	where := iface + " endpoint"
	if region != "" {
		where += " in region " + region
	}
	return "", fmt.Errorf("nova: the catalog of the [nova] user has no compute %s", where)
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("req-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// post sends one batch once: the answer's status and events, or an error (an
// unreachableError when nothing answered).
func (s *session) post(ctx context.Context, events []Event) (int, []map[string]any, string, error) {
	tok, ep, err := s.get(ctx)
	if err != nil {
		return 0, nil, "", err
	}
	payload, _ := json.Marshal(map[string]any{"events": events})
	u, err := url.JoinPath(ep, "os-server-external-events")
	if err != nil {
		return 0, nil, "", fmt.Errorf("nova: endpoint %q: %w", ep, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, "", fmt.Errorf("nova: %w", err)
	}
	rid := requestID()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("X-OpenStack-Nova-API-Version", "2.1")
	req.Header.Set("OpenStack-API-Version", "compute 2.1")
	req.Header.Set("X-OpenStack-Request-ID", rid)
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return 0, nil, rid, transport("nova: "+u, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, nil, rid, transport("nova: "+u, err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		s.drop(tok)
	}
	var out struct {
		Events []map[string]any `json:"events"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusMultiStatus {
		return resp.StatusCode, out.Events, rid, fmt.Errorf("nova answered %d: %s", resp.StatusCode, short(raw))
	}
	return resp.StatusCode, out.Events, rid, nil
}

// send delivers one batch as neutron-server does: a request that reaches nobody is tried
// again (http_retries times, the pause doubling from RetryPause); a refused token is renewed
// once; 404 (none of the servers exists) is normal; anything else is logged with the batch.
func (n *Notifier) send(ctx context.Context, events []Event) {
	pause := n.opts.RetryPause
	renewed := false
	for attempt := 0; ; attempt++ {
		status, answers, rid, err := n.session.post(ctx, events)
		var unreachable *unreachableError
		switch {
		case err == nil:
			for _, a := range answers {
				if code, _ := a["code"].(float64); code == 200 {
					n.log.Info("nova: event delivered", "request_id", rid, "event", a["name"], "server_uuid", a["server_uuid"], "tag", a["tag"], "status", a["status"])
				} else {
					n.log.Warn("nova: event failed", "request_id", rid, "event", a["name"], "server_uuid", a["server_uuid"], "tag", a["tag"], "code", a["code"])
				}
			}
			return
		case status == http.StatusUnauthorized && !renewed:
			renewed = true
			continue
		case status == http.StatusNotFound:
			n.log.Debug("nova: none of the servers of the events exists", "request_id", rid, "events", events)
			return
		case errors.As(err, &unreachable) && attempt < n.opts.Retries && ctx.Err() == nil:
			n.log.Debug("nova: unreachable; trying again", "err", err, "pause", pause)
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			pause *= 2
			continue
		}
		n.log.Error("nova: failed to notify Nova of events", "request_id", rid, "events", events, "err", err)
		return
	}
}
