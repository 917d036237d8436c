package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/midonet-go/midonet/test/isolation"
	"github.com/midonet-go/midonet/test/testenv"
)

// inProcessClient is a gophercloud networking client of an in-process server,
// as one identity (hdr; none = the noauth admin).
func inProcessClient(s *inProcess, hdr http.Header) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Transport: testenv.HandlerTransport{Handler: s.srv}}}
	more := map[string]string{}
	for k := range hdr {
		more[k] = hdr.Get(k)
	}
	return &gophercloud.ServiceClient{
		ProviderClient: pc,
		Endpoint:       "http://neutron.test/",
		ResourceBase:   "http://neutron.test/v2.0/",
		Type:           "network",
		MoreHeaders:    more,
	}
}

// memberB is the identity of project B in the fuzzer: an ordinary member.
var memberB = http.Header{"X-Project-Id": {"fz-project-b"}, "X-User-Id": {"fz-user-b"}, "X-Roles": {"member"}}

// FuzzCrossProject sends arbitrary requests as a member of project B to an
// in-process server holding project A's resources (isolation.Setup: a private
// network with subnets and ports, a router with a gateway and an interface, a
// floating IP, a security group with rules, a private subnet pool, a shared
// network) and requires that every document of A, read by an admin, stays
// exactly as it was, that no answer holds a private document of A, that the
// server never answers 5xx and that every answer keeps the API's invariants
// (checkAnswer). Paths are relative to /v2.0/; {placeholders} (e.g. {netA},
// {routerB}, {projectA}) name the world's resources, so the seed corpus — the
// cross-project matrix of test/isolation — means the same in every worker.
//
//	go test ./internal/api -run '^$' -fuzz '^FuzzCrossProject$' -fuzztime 3m
func FuzzCrossProject(f *testing.F) {
	seedName := map[string]string{}
	for _, a := range isolation.Attacks {
		f.Add(a.Method, a.Path, []byte(a.Body))
		seedName[a.Method+" "+a.Path+" "+a.Body] = "attack " + strconv.Quote(a.Name) + ": "
	}
	srv := newInProcess(f, unlimited())
	ctx := context.Background()
	w, err := isolation.Setup(ctx, inProcessClient(srv, nil), inProcessClient(srv, memberB), "fz-project-a", memberB.Get("X-Project-Id"))
	if err != nil {
		f.Fatalf("setup: %v", err)
	}
	admin := isolation.ServiceClient{ServiceClient: inProcessClient(srv, nil)}
	base, err := isolation.Take(ctx, admin, w)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte) {
		if strings.ContainsAny(path, " \t\r\n#") || strings.HasPrefix(path, "/") {
			return
		}
		seed := seedName[method+" "+path+" "+string(body)]
		path = w.Expand(path)
		body = []byte(w.Expand(string(body)))
		req, err := http.NewRequest(method, "http://neutron.test/v2.0/"+path, bytes.NewReader(body))
		if err != nil {
			return // not something a client can send
		}
		req.RequestURI = "/v2.0/" + path
		for k, v := range memberB {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		srv.srv.ServeHTTP(rec, req)
		if err := checkAnswer(req, rec); err != nil {
			t.Fatalf("%sB: %s %s %q: %v", seed, method, path, body, err)
		}
		if leaked := w.LeakedDocs(rec.Body.Bytes()); len(leaked) > 0 {
			t.Fatalf("%sB: %s %s %q: the answer holds A's private %v: %s", seed, method, path, body, leaked, rec.Body.String())
		}
		now, err := isolation.Take(ctx, admin, w)
		if err != nil {
			t.Fatalf("%safter B: %s %s %q: %v", seed, method, path, body, err)
		}
		if diff := isolation.Diff(base, now); len(diff) > 0 {
			base = now // report each offending input once when the seeds run as tests
			t.Fatalf("%sB: %s %s %q (answered %d: %.300s) changed A's documents:\n  %s",
				seed, method, path, body, rec.Code, rec.Body.String(), strings.Join(diff, "\n  "))
		}
	})
}
