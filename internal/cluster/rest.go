package cluster

import (
	"bytes"
	"container/list"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/jsonenc"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/resource"
)

// RESTServer is the cluster's REST endpoint (/midonet-api): login and the Neutron resources,
// each request applied synchronously in one NSDB transaction. It is served on a listener of
// its own ([MIDONET] cluster_rest_bind_host, cluster_rest_port), never on the public API port.
//
// Login tokens expire after TokenTTL and at most MaxTokens are alive: a new login beyond the
// cap evicts the oldest token (its holder logs in again on the 401), so logins cannot grow
// memory. Only SHA-256 digests of tokens are kept, and credentials are compared as digests
// in constant time.
type RESTServer struct {
	Cluster            *Cluster
	Username, Password string
	TokenTTL           time.Duration    // 0: DefaultTokenTTL
	MaxTokens          int              // 0: DefaultMaxTokens
	Now                func() time.Time // nil: time.Now
	// SyncWait is how long a call waits for the cluster to finish loading the topology at
	// start before it is answered 503 (syncing); 0: as long as the call's context lasts.
	SyncWait time.Duration

	mu     sync.Mutex
	tokens map[tokenDigest]*list.Element // digest → element of order
	order  *list.List                    // *issuedToken, oldest first (one TTL: expiry order too)
}

// waitLoaded waits, up to SyncWait, for the cluster to have loaded the topology, and reports
// whether it has: a change applied before would be applied to an empty world.
func (s *RESTServer) waitLoaded(ctx context.Context) bool {
	if s.Cluster == nil || s.Cluster.IsLoaded() {
		return true
	}
	if s.SyncWait > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.SyncWait)
		defer cancel()
	}
	select {
	case <-s.Cluster.Loaded():
		return true
	case <-ctx.Done():
		return false
	}
}

// maxRESTBody bounds one document sent to the REST endpoint. The plugin sends one
// Neutron document per call, and the API's attribute limits keep every document far
// below this; a larger body is refused with 413 before it is buffered.
const maxRESTBody = 4 << 20

// Defaults of the REST endpoint's token store.
const (
	DefaultTokenTTL  = time.Hour
	DefaultMaxTokens = 1000
)

type tokenDigest [sha256.Size]byte

type issuedToken struct {
	digest  tokenDigest
	expires time.Time
}

func (s *RESTServer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *RESTServer) ttl() time.Duration {
	if s.TokenTTL > 0 {
		return s.TokenTTL
	}
	return DefaultTokenTTL
}

func (s *RESTServer) maxTokens() int {
	if s.MaxTokens > 0 {
		return s.MaxTokens
	}
	return DefaultMaxTokens
}

// LiveTokens is the number of tokens the endpoint holds (expired ones not yet dropped
// included); never more than its cap.
func (s *RESTServer) LiveTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.tokens)
}

// DefaultPassword is networking-midonet's default [MIDONET] password.
const DefaultPassword = "passw0rd"

// IsLoopback reports whether a listen address reaches this host only: "localhost" or a
// loopback IP literal. An empty host (every interface) or any other name is not.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	host, _, _ = strings.Cut(host, "%") // an IPv6 zone
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckExposure refuses to serve the REST endpoint with the default (or an empty) password
// anywhere but on the loopback interface: whoever reaches it may rewrite the topology.
func CheckExposure(host, password string) error {
	if IsLoopback(host) || (password != DefaultPassword && password != "") {
		return nil
	}
	what := "the default password " + DefaultPassword
	if password == "" {
		what = "an empty password"
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return fmt.Errorf("cluster REST endpoint: refusing to listen on %s (not loopback) with %s; "+
		"set [MIDONET] password (and the same on the API servers) or cluster_rest_bind_host = 127.0.0.1", shown, what)
}

// ServeHTTP implements http.Handler for paths under /midonet-api.
func (s *RESTServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(strings.TrimPrefix(r.URL.Path, "/midonet-api"), "/")
	if path == "login" {
		s.login(w, r)
		return
	}
	if !s.authorized(r) {
		restError(w, http.StatusUnauthorized, "authentication required")
		return
	}
	if path == "" {
		writeJSONBody(w, http.StatusOK, map[string]any{"neutron": "/midonet-api/neutron", "version": "5.0"})
		return
	}
	if !s.waitLoaded(r.Context()) {
		restError(w, http.StatusServiceUnavailable, "the MidoNet cluster is still loading the topology (syncing); try again shortly")
		return
	}
	parts := strings.Split(path, "/")
	if parts[0] != "neutron" || len(parts) < 2 {
		restError(w, http.StatusNotFound, "no such resource")
		return
	}
	res := s.Cluster.Catalog().ByREST(parts[1])
	coll := ""
	if res != nil {
		coll = res.Collection
	}
	if res == nil {
		restError(w, http.StatusNotFound, "no such collection "+parts[1])
		return
	}
	var ch Change
	var body []byte // the request's document, which the answer gives back as it came
	switch {
	case len(parts) == 2 && r.Method == http.MethodPost:
		ch.Type = "CREATE"
	case len(parts) == 3 && r.Method == http.MethodPut:
		ch.Type, ch.ID = "UPDATE", parts[2]
	case len(parts) == 3 && r.Method == http.MethodDelete:
		ch.Type, ch.ID = "DELETE", parts[2]
	case len(parts) == 4 && r.Method == http.MethodPut && coll == "routers":
		// add/remove_router_interface: the interface port's own change carries the wiring.
		writeJSONBody(w, http.StatusOK, map[string]any{})
		return
	case len(parts) == 3 && r.Method == http.MethodGet:
		if d := s.Cluster.Neutron(coll, parts[2]); d != nil {
			writeJSONBody(w, http.StatusOK, d)
		} else {
			restError(w, http.StatusNotFound, "not found")
		}
		return
	default:
		restError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	ch.Collection = coll
	if ch.Type != "DELETE" {
		b, err := readSized(http.MaxBytesReader(w, r.Body, maxRESTBody), r.ContentLength)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				restError(w, http.StatusRequestEntityTooLarge, "body larger than the cluster accepts")
				return
			}
			restError(w, http.StatusBadRequest, "unreadable body")
			return
		}
		d, err := db.DecodeBody(b)
		if err != nil || d == nil {
			restError(w, http.StatusBadRequest, "body is not a JSON object")
			return
		}
		body = b
		if ch.ID == "" {
			ch.ID, _ = d["id"].(string)
		}
		if ch.ID == "" {
			restError(w, http.StatusBadRequest, "resource without an id")
			return
		}
		ch.Doc = d
	}
	if err := s.Cluster.ApplyGrouped(r.Context(), []Change{ch}); err != nil {
		status, msg := http.StatusInternalServerError, err.Error()
		switch {
		case nsdb.IsNoSpace(err):
			// Out of space: retry once freed (disk, or `db-manage nsdb-compact` for etcd's quota).
			s.Cluster.log.Error("network state database out of space: change refused", "collection", ch.Collection, "id", ch.ID, "err", err)
			status, msg = http.StatusServiceUnavailable, "the network state database is out of space; the change was not applied"
		case nsdb.IsTooLarge(err):
			status, msg = http.StatusRequestEntityTooLarge, "the change is too large for the network state database"
		}
		restError(w, status, msg)
		return
	}
	switch ch.Type {
	case "CREATE":
		writeRawJSON(w, http.StatusCreated, body)
	case "UPDATE":
		writeRawJSON(w, http.StatusOK, body)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// readSized reads r to its end into a buffer sized for size bytes (a request's
// ContentLength; io.ReadAll's growth when it is unknown, or beyond maxRESTBody).
func readSized(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > maxRESTBody {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, size+1) // one more: room to see the end without growing
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) { // longer than it said
			b = append(b, 0)[:len(b)]
		}
	}
}

// secretEqual compares two secrets in time independent of where they differ and of their
// lengths: both are hashed to fixed-size digests first.
func secretEqual(a, b string) int {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:])
}

// credentialsMatch checks both the user name and the password, always both, so that the
// answer time does not tell which one was wrong.
func (s *RESTServer) credentialsMatch(user, pw string) bool {
	return secretEqual(user, s.Username)&secretEqual(pw, s.Password) == 1
}

func (s *RESTServer) login(w http.ResponseWriter, r *http.Request) {
	user, pw, ok := r.BasicAuth()
	if match := s.credentialsMatch(user, pw); !ok || !match {
		w.Header().Set("WWW-Authenticate", `Basic realm="midonet-api"`)
		restError(w, http.StatusUnauthorized, "bad credentials")
		return
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		restError(w, http.StatusInternalServerError, "no randomness for a token")
		return
	}
	tok := hex.EncodeToString(b[:])
	expires := s.issue(sha256.Sum256([]byte(tok)))
	http.SetCookie(w, &http.Cookie{Name: "sessionId", Value: tok, Path: "/midonet-api", HttpOnly: true,
		MaxAge: int(s.ttl() / time.Second), SameSite: http.SameSiteStrictMode})
	writeJSONBody(w, http.StatusOK, map[string]any{"key": tok, "expires": expires.UTC().Format(time.RFC3339)})
}

// issue records a new token: expired tokens are dropped first, then the oldest ones while
// the store is full.
func (s *RESTServer) issue(d tokenDigest) time.Time {
	now := s.now()
	expires := now.Add(s.ttl())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens, s.order = map[tokenDigest]*list.Element{}, list.New()
	}
	for e := s.order.Front(); e != nil; e = s.order.Front() {
		it := e.Value.(*issuedToken)
		if now.Before(it.expires) && s.order.Len() < s.maxTokens() {
			break
		}
		s.order.Remove(e)
		delete(s.tokens, it.digest)
	}
	s.tokens[d] = s.order.PushBack(&issuedToken{digest: d, expires: expires})
	return expires
}

func (s *RESTServer) authorized(r *http.Request) bool {
	tok := r.Header.Get("X-Auth-Token")
	if tok == "" {
		if c, err := r.Cookie("sessionId"); err == nil {
			tok = c.Value
		}
	}
	if tok == "" {
		return false
	}
	d := tokenDigest(sha256.Sum256([]byte(tok)))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.tokens[d]
	if !ok {
		return false
	}
	if it := e.Value.(*issuedToken); !now.Before(it.expires) {
		s.order.Remove(e)
		delete(s.tokens, d)
		return false
	}
	return true
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeRawJSON answers with a document already encoded.
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func restError(w http.ResponseWriter, status int, msg string) {
	writeJSONBody(w, status, map[string]any{"code": status, "message": msg})
}

// RESTClient is the API server's client of the cluster's REST endpoint
// ([MIDONET] midonet_uri, username, password, project_id).
type RESTClient struct {
	BaseURL, Username, Password, ProjectID string
	HTTP                                   *http.Client
	Catalog                                *resource.Catalog // the REST path of each collection
	mu                                     sync.Mutex
	token                                  string
}

// RESTError is a non-2xx answer of the cluster; its status reaches the user as upstream's
// client let MidoNet's status through.
type RESTError struct {
	Status  int
	Message string
}

func (e *RESTError) Error() string {
	return fmt.Sprintf("midonet cluster answered %d: %s", e.Status, e.Message)
}

func (c *RESTClient) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (c *RESTClient) login(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+"/login", nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(c.Username, c.Password)
	if c.ProjectID != "" {
		req.Header.Set("X-Auth-Project", c.ProjectID)
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("cluster client: login: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return "", &RESTError{Status: resp.StatusCode, Message: "login: " + string(b)}
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "sessionId" {
			return ck.Value, nil
		}
	}
	return "", errors.New("cluster client: login answered without a session cookie")
}

// Send applies changes through the REST endpoint, in order.
func (c *RESTClient) Send(ctx context.Context, changes []Change) error {
	for _, ch := range changes {
		if err := c.send(ctx, ch); err != nil {
			return err
		}
	}
	return nil
}

func (c *RESTClient) send(ctx context.Context, ch Change) error {
	url := strings.TrimRight(c.BaseURL, "/") + "/neutron/" + c.Catalog.Get(ch.Collection).REST()
	method := http.MethodPost
	switch ch.Type {
	case "UPDATE":
		method, url = http.MethodPut, url+"/"+ch.ID
	case "DELETE":
		method, url = http.MethodDelete, url+"/"+ch.ID
	}
	var body []byte
	if ch.Doc != nil {
		var err error
		if body, err = jsonenc.Marshal(ch.Doc); err != nil {
			return err
		}
	}
	for attempt := 0; attempt < 2; attempt++ {
		c.mu.Lock()
		tok := c.token
		c.mu.Unlock()
		if tok == "" {
			t, err := c.login(ctx)
			if err != nil {
				return err
			}
			c.mu.Lock()
			c.token, tok = t, t
			c.mu.Unlock()
		}
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("X-Auth-Token", tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.client().Do(req)
		if err != nil {
			return fmt.Errorf("cluster client: %s %s: %w", method, url, err)
		}
		var b []byte
		if resp.StatusCode >= 300 {
			b, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		} else {
			// The cluster answers a write with the document it got: nothing to keep.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxRESTBody))
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			c.mu.Lock()
			c.token = ""
			c.mu.Unlock()
			continue
		}
		if resp.StatusCode >= 300 {
			msg := string(b)
			var e struct{ Message string }
			if json.Unmarshal(b, &e) == nil && e.Message != "" {
				msg = e.Message
			}
			return &RESTError{Status: resp.StatusCode, Message: msg}
		}
		return nil
	}
	return &RESTError{Status: http.StatusUnauthorized, Message: "login refused"}
}
