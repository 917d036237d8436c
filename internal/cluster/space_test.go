package cluster

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// TestRESTOutOfSpaceAnswers503: when the NSDB refuses a write for lack of space, the REST
// endpoint answers 503 (retry later), not 500, and nothing is applied; once space is back
// the same change applies.
func TestRESTOutOfSpaceAnswers503(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(&RESTServer{Cluster: e.c, Username: "admin", Password: "pw"})
	defer srv.Close()
	ctx := context.Background()
	cl := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "pw"}

	e.store.SetWriteGuard(func() error { return errors.New("disk below the reserve") })
	err := cl.Send(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}})
	var re *RESTError
	if !errors.As(err, &re) || re.Status != http.StatusServiceUnavailable {
		t.Fatalf("create with the NSDB out of space = %v, want a 503 answer", err)
	}
	if e.object(t, topology.KindNetwork, netID) != nil {
		t.Fatal("a refused create reached the NSDB")
	}
	e.store.SetWriteGuard(nil)
	if err := cl.Send(ctx, []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: netDoc(1)}}); err != nil {
		t.Fatalf("create once space is back: %v", err)
	}
	if e.object(t, topology.KindNetwork, netID) == nil {
		t.Fatal("the create did not reach the NSDB once space was back")
	}
}

// TestRESTTooLargeAnswers413: a change larger than the NSDB accepts in one request answers
// 413 with a plain message (not etcd's error text), and nothing of it is applied.
func TestRESTTooLargeAnswers413(t *testing.T) {
	e := newEnvWith(t, nsdb.EmbeddedOptions{MaxRequestBytes: 64 << 10})
	srv := httptest.NewServer(&RESTServer{Cluster: e.c, Username: "admin", Password: "pw"})
	defer srv.Close()
	cl := &RESTClient{Catalog: testCatalog, BaseURL: srv.URL + "/midonet-api", Username: "admin", Password: "pw"}
	big := netDoc(1)
	big["name"] = strings.Repeat("x", 200<<10)
	err := cl.Send(context.Background(), []Change{{Type: "CREATE", Collection: "networks", ID: netID, Doc: big}})
	var re *RESTError
	if !errors.As(err, &re) || re.Status != http.StatusRequestEntityTooLarge || strings.Contains(re.Message, "etcdserver") {
		t.Fatalf("create of a network too large for the NSDB = %v, want 413 with a plain message", err)
	}
	if e.object(t, topology.KindNetwork, netID) != nil || e.c.Neutron("networks", netID) != nil {
		t.Fatal("a refused create reached the NSDB or the cluster's copies")
	}
}
