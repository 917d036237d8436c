package nsdb

import (
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/testutil/etcdcluster"
)

// The same store API against a 3-member cluster: writes, watches and leadership survive
// the loss of the raft leader.
func TestExternalClusterSurvivesLeaderLoss(t *testing.T) {
	t.Parallel()
	c := etcdcluster.New(t, 3)
	ctx := testCtx(t)
	s, err := Connect(ctx, c.Endpoints())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	rev := put(t, s, "/x/a", "1")
	ch := s.Watch(ctx, "/x/", rev)
	expect(t, ch, "put /x/a=1")
	lead, err := s.Campaign(ctx, "cluster", "me", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	c.Stop(c.Leader())
	ok, _, err := s.Txn(ctx, []Guard{lead.Guard()}, []Op{{Key: "/x/b", Value: []byte("2")}})
	if err != nil || !ok {
		t.Fatalf("txn after leader loss: applied=%v err=%v", ok, err)
	}
	expect(t, ch, "put /x/b=2")
	select {
	case <-lead.Done():
		t.Fatal("leadership lost with a quorum up")
	default:
	}
	if err := lead.Resign(ctx); err != nil {
		t.Fatal(err)
	}
}
