package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func syncingCluster() []string {
	return []string{"syncing: the MidoNet cluster is loading the topology"}
}

func TestHealthAnswers(t *testing.T) {
	up := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp 10.0.0.5:2379: connection refused") }
	checks := func(db, nsdb func(context.Context) error) []healthCheck {
		return []healthCheck{{class: "DatabaseCheck", what: "database", check: db}, {class: "NSDBCheck", what: "NSDB", check: nsdb}}
	}
	tests := []struct {
		name       string
		h          *health
		method     string
		accept     string
		wantStatus int
		wantBody   string // exact (text) or a substring (JSON)
	}{
		{"healthy text", &health{checks: checks(up, up)}, "GET", "", 200, "OK"},
		{"healthy head", &health{checks: checks(up, up)}, "HEAD", "", 204, ""},
		{"healthy json", &health{checks: checks(up, up)}, "GET", "application/json", 200, `{"detailed":false,"reasons":["OK"]}`},
		{"nsdb down", &health{checks: checks(up, down)}, "GET", "", 503, "NSDB unreachable"},
		{"both down", &health{checks: checks(down, down)}, "GET", "", 503, "database unreachable\nNSDB unreachable"},
		{"down head", &health{checks: checks(up, down)}, "HEAD", "", 503, ""},
		{"down json hides the error", &health{checks: checks(up, down)}, "GET", "application/json", 503,
			`{"detailed":false,"reasons":["NSDB unreachable"]}`},
		{"down detailed json", &health{checks: checks(up, down), detailed: true}, "GET", "application/json", 503,
			`"class":"NSDBCheck","reason":"NSDB unreachable","details":"dial tcp 10.0.0.5:2379: connection refused"`},
		{"post", &health{checks: checks(up, up)}, "POST", "", 405, ""},
		{"syncing text", &health{checks: checks(up, up), syncing: syncingCluster}, "GET", "", 200,
			"syncing: the MidoNet cluster is loading the topology"},
		{"syncing head", &health{checks: checks(up, up), syncing: syncingCluster}, "HEAD", "", 204, ""},
		{"syncing json", &health{checks: checks(up, up), syncing: syncingCluster}, "GET", "application/json", 200,
			`{"detailed":false,"reasons":["syncing: the MidoNet cluster is loading the topology"],"syncing":true}`},
		{"syncing detailed json", &health{checks: checks(up, up), syncing: syncingCluster, detailed: true}, "GET", "application/json", 200,
			`"class":"SyncCheck","reason":"syncing","details":"syncing: the MidoNet cluster is loading the topology"`},
		{"synced", &health{checks: checks(up, up), syncing: func() []string { return nil }}, "GET", "application/json", 200,
			`{"detailed":false,"reasons":["OK"]}`},
		{"down while syncing", &health{checks: checks(up, down), syncing: syncingCluster}, "GET", "", 503, "NSDB unreachable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/healthcheck", nil)
			if tc.accept != "" {
				r.Header.Set("Accept", tc.accept)
			}
			w := httptest.NewRecorder()
			tc.h.ServeHTTP(w, r)
			body := strings.TrimSpace(w.Body.String())
			if w.Code != tc.wantStatus {
				t.Errorf("status %d, want %d (%s)", w.Code, tc.wantStatus, body)
			}
			switch {
			case tc.method == "POST":
			case tc.accept != "":
				if !json.Valid([]byte(body)) || !strings.Contains(body, tc.wantBody) {
					t.Errorf("body %s, want %s", body, tc.wantBody)
				}
			case body != tc.wantBody:
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
		})
	}
}

func TestHealthNonDetailedNeverShowsErrors(t *testing.T) {
	h := &health{checks: []healthCheck{{class: "DatabaseCheck", what: "database", check: func(context.Context) error {
		return errors.New("postgresql://neutron@10.1.2.3:5432 refused")
	}}}}
	for _, accept := range []string{"", "application/json"} {
		r := httptest.NewRequest(http.MethodGet, "/healthcheck", nil)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if strings.Contains(w.Body.String(), "10.1.2.3") {
			t.Errorf("Accept %q: the answer names an internal address: %s", accept, w.Body.String())
		}
	}
}
