package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/midonet-go/midonet/internal/auth"
)

// loginRequest is the login form.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Project  string `json:"project"`
	Domain   string `json:"domain"` // user and project domain name; "Default" when empty
}

// loginAnswer is what the page keeps of a token.
type loginAnswer struct {
	Token     string   `json:"token"`
	ExpiresAt string   `json:"expires_at"`
	User      string   `json:"user"`
	UserID    string   `json:"user_id"`
	Project   string   `json:"project"`
	ProjectID string   `json:"project_id"`
	Roles     []string `json:"roles"`
}

// login asks the configured Keystone for a project-scoped token with the form's password.
// The server makes the call: the page never needs Keystone to allow its origin, and the
// page learns no more than the user typed and the token Keystone gave.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "only POST here")
		return
	}
	if h.o.NoAuth || h.o.KeystoneURL == "" {
		writeError(w, http.StatusNotFound, "this server does not authenticate with Keystone")
		return
	}
	// JSON only: a cross-site HTML form cannot send it without a CORS preflight.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send the form as application/json")
		return
	}
	var req loginRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "the login form is not valid JSON")
		return
	}
	if req.Username == "" || req.Password == "" || req.Project == "" {
		writeError(w, http.StatusBadRequest, "user, password and project are required")
		return
	}
	if req.Domain == "" {
		req.Domain = "Default"
	}
	ans, status, err := h.keystoneToken(r, req)
	if err != nil {
		if status == http.StatusUnauthorized {
			writeError(w, status, "Keystone refused the user, password or project")
			return
		}
		h.o.Log.Warn("ui: keystone login failed", "user", req.Username, "err", err)
		writeError(w, http.StatusServiceUnavailable, "the identity service is unavailable")
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// keystoneToken is POST /v3/auth/tokens with the password method and a project scope.
func (h *Handler) keystoneToken(r *http.Request, req loginRequest) (*loginAnswer, int, error) {
	base, err := v3Root(h.o.KeystoneURL)
	if err != nil {
		return nil, 0, err
	}
	domain := map[string]any{"name": req.Domain}
	body, err := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": req.Username, "domain": domain, "password": req.Password}}},
		"scope": map[string]any{"project": map[string]any{"name": req.Project, "domain": domain}},
	}})
	if err != nil {
		return nil, 0, fmt.Errorf("ui: login body: %w", err)
	}
	kreq, err := http.NewRequestWithContext(r.Context(), http.MethodPost, base+"/auth/tokens", bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("ui: keystone request: %w", err)
	}
	kreq.Header.Set("Content-Type", "application/json")
	resp, err := h.o.KeystoneHTTP.Do(kreq)
	if err != nil {
		return nil, 0, fmt.Errorf("ui: keystone %s: %w", base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("ui: keystone answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound:
		return nil, http.StatusUnauthorized, fmt.Errorf("ui: keystone answered %d", resp.StatusCode)
	case resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK:
		return nil, resp.StatusCode, fmt.Errorf("ui: keystone answered %d: %.200s", resp.StatusCode, b)
	}
	var doc struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			User      struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"user"`
			Project struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
			Roles []struct {
				Name string `json:"name"`
			} `json:"roles"`
		} `json:"token"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, resp.StatusCode, fmt.Errorf("ui: keystone token document: %w", err)
	}
	tok := resp.Header.Get("X-Subject-Token")
	if tok == "" {
		return nil, resp.StatusCode, fmt.Errorf("ui: keystone answered without X-Subject-Token")
	}
	ans := &loginAnswer{Token: tok, ExpiresAt: doc.Token.ExpiresAt, User: doc.Token.User.Name, UserID: doc.Token.User.ID,
		Project: doc.Token.Project.Name, ProjectID: doc.Token.Project.ID, Roles: []string{}}
	for _, role := range doc.Token.Roles {
		ans.Roles = append(ans.Roles, role.Name)
	}
	return ans, resp.StatusCode, nil
}

// v3Root turns an auth_url (http://h:5000, …/, …/v3, …/v2.0) into the v3 API root, as the
// API server's Keystone client does.
func v3Root(authURL string) (string, error) { return auth.V3Base(authURL) }
