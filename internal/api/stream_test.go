package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/db"
)

// TestStreamedListIsTheList lists ports with a flush threshold of 2 KB, so that the answer
// goes out in many chunks, and compares it with the same list sorted in memory (two sort
// keys): the same ports, every field, valid JSON to the end.
func TestStreamedListIsTheList(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, 201), "network")
	s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.0.0.0/24"}}, 201)
	ports := make([]any, 40)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net, "name": fmt.Sprintf("p%d", i)}
	}
	s.must(http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)
	defer api.SetStreamFlush(2048)()
	for _, q := range []string{"", "?sort_key=name&sort_dir=desc", "?fields=id&fields=name"} {
		w := s.do(http.MethodGet, "/v2.0/ports"+q, nil)
		if w.Code != http.StatusOK {
			t.Fatalf("list%s: %d %s", q, w.Code, w.Body.String())
		}
		var got map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("list%s is not JSON (%d bytes): %v", q, w.Body.Len(), err)
		}
		sep := "?"
		if q != "" {
			sep = "&"
		}
		want := s.must(http.MethodGet, "/v2.0/ports"+q+sep+"sort_key=id&sort_dir=asc&sort_key=id&sort_dir=asc", nil, 200)
		if q == "?sort_key=name&sort_dir=desc" {
			// Three sort keys are sorted in memory (indexOrder); the third never decides.
			want = s.must(http.MethodGet, "/v2.0/ports?sort_key=name&sort_dir=desc&sort_key=id&sort_dir=asc&sort_key=id&sort_dir=asc", nil, 200)
		}
		g, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		if string(g) != string(wb) {
			t.Errorf("streamed list%s differs from the list sorted in memory:\n%s\nwant\n%s", q, g, wb)
		}
		if n := len(got["ports"].([]any)); n != 40 {
			t.Errorf("streamed list%s has %d ports, want 40", q, n)
		}
	}
}

// writeLog is a ResponseWriter that keeps the answer and records each write: its size, and
// how many documents the decoded-document cache held when it was made.
type writeLog struct {
	header http.Header
	code   int
	body   bytes.Buffer
	writes []loggedWrite
}

type loggedWrite struct{ size, cached int }

func (w *writeLog) Header() http.Header { return w.header }

func (w *writeLog) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *writeLog) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	cached, _ := db.DocCacheStats()
	w.writes = append(w.writes, loggedWrite{size: len(b), cached: cached})
	return w.body.Write(b)
}

// TestListIsStreamed lists 40 ports (shared documents: streamShared) and 40 networks (shared
// by RBAC: streamAll) reading 8 documents at a time with a flush threshold of 2 KB, through
// a ResponseWriter that records each write, the decoded-document cache emptied first (the
// documents it holds are those the list read so far). The answer goes out in several
// writes without a Content-Length, each but the last of at least the threshold and none
// longer than the threshold and one entry; the first goes out while the list still has
// documents to read; and the bytes are those of the same list answered in one write (the
// default threshold of 1 MiB).
func TestListIsStreamed(t *testing.T) {
	s := newInProcess(t, nil)
	net := idOf(s.must(http.MethodPost, "/v2.0/networks", map[string]any{"network": map[string]any{"name": "n"}}, 201), "network")
	s.must(http.MethodPost, "/v2.0/subnets", map[string]any{"subnet": map[string]any{"network_id": net, "ip_version": 4, "cidr": "10.0.0.0/24"}}, 201)
	ports, nets := make([]any, 40), make([]any, 39)
	for i := range ports {
		ports[i] = map[string]any{"network_id": net, "name": fmt.Sprintf("p%d", i)}
	}
	for i := range nets {
		nets[i] = map[string]any{"name": fmt.Sprintf("n%d", i)}
	}
	s.must(http.MethodPost, "/v2.0/ports", map[string]any{"ports": ports}, 201)
	s.must(http.MethodPost, "/v2.0/networks", map[string]any{"networks": nets}, 201)
	t.Cleanup(func() { db.SetDocCacheBytes(db.DefaultDocCacheBytes) })

	const flush, batch = 2048, 8
	for _, c := range []struct {
		path, plural string
	}{
		{"/v2.0/ports", "ports"},
		{"/v2.0/ports?fields=id&fields=name&fields=fixed_ips", "ports"},
		{"/v2.0/networks", "networks"},
	} {
		t.Run(c.path, func(t *testing.T) {
			whole := s.do(http.MethodGet, c.path, nil)
			if whole.Code != http.StatusOK || whole.Header().Get("Content-Length") == "" {
				t.Fatalf("unstreamed list: %d, Content-Length %q", whole.Code, whole.Header().Get("Content-Length"))
			}

			restoreFlush, restoreBatch := api.SetStreamFlush(flush), api.SetStreamBatch(batch)
			db.SetDocCacheBytes(0) // empty it
			db.SetDocCacheBytes(db.DefaultDocCacheBytes)
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			w := &writeLog{header: http.Header{}}
			s.srv.ServeHTTP(w, req)
			read, _ := db.DocCacheStats()
			restoreBatch()
			restoreFlush()

			if w.code != http.StatusOK {
				t.Fatalf("streamed list: %d %s", w.code, w.body.String())
			}
			if cl := w.header.Get("Content-Length"); cl != "" {
				t.Errorf("streamed list has Content-Length %s: it was answered at once", cl)
			}
			if !bytes.Equal(w.body.Bytes(), whole.Body.Bytes()) {
				t.Fatalf("streamed list (%d bytes) differs from the list in one write (%d bytes):\n%s\nwant\n%s",
					w.body.Len(), whole.Body.Len(), w.body.String(), whole.Body.String())
			}
			var got map[string][]json.RawMessage
			if err := json.Unmarshal(w.body.Bytes(), &got); err != nil {
				t.Fatalf("streamed list is not JSON: %v", err)
			}
			if n := len(got[c.plural]); n != 40 {
				t.Fatalf("streamed list has %d %s, want 40", n, c.plural)
			}
			longest := 0
			for _, e := range got[c.plural] {
				longest = max(longest, len(e))
			}

			if len(w.writes) < 3 {
				t.Fatalf("a list of %d bytes went out in %d writes %v, want several of about %d bytes", w.body.Len(), len(w.writes), w.writes, flush)
			}
			for i, wr := range w.writes {
				if limit := flush + longest + len(","); wr.size > limit {
					t.Errorf("write %d of %d is %d bytes, more than the threshold and one entry (%d)", i+1, len(w.writes), wr.size, limit)
				}
				if i < len(w.writes)-1 && wr.size < flush {
					t.Errorf("write %d of %d is %d bytes, less than the threshold %d", i+1, len(w.writes), wr.size, flush)
				}
			}
			if first := w.writes[0].cached; first >= read {
				t.Errorf("the first write went out once the list had read all its %d documents (cached then: %d)", read, first)
			}
			if read < 40 {
				t.Errorf("the list read %d documents through the cache, want at least its 40", read)
			}
		})
	}
}
