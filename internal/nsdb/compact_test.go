package nsdb

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestCompactRecoversFromNoSpace fills an embedded etcd with a small quota by overwriting
// one key until etcd raises its NOSPACE alarm and refuses writes, then checks that Compact
// disarms the alarm, shrinks the database and lets writes through again.
func TestCompactRecoversFromNoSpace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const quota = 16 << 20
	s, err := OpenEmbedded(ctx, EmbeddedOptions{Dir: filepath.Join(t.TempDir(), "etcd"), QuotaBytes: quota, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	value := strings.Repeat("v", 512<<10)
	var full error
	for i := 0; i < 200 && full == nil; i++ {
		_, full = s.Client().Put(ctx, "/midonet/filler", value)
	}
	if !IsNoSpace(full) {
		t.Fatalf("200 overwrites of 512 KiB under a %d-byte quota: last error %v, want NOSPACE", quota, full)
	}
	if _, _, err := s.Txn(ctx, nil, []Op{{Key: "/midonet/probe", Value: []byte("x")}}); !IsNoSpace(err) {
		t.Fatalf("a transaction with the alarm raised = %v, want NOSPACE", err)
	}
	res, err := s.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AlarmsCleared) != 1 {
		t.Errorf("alarms cleared = %v, want the one NOSPACE alarm", res.AlarmsCleared)
	}
	if len(res.Members) != 1 || res.Members[0].BytesAfter >= res.Members[0].BytesBefore || res.Members[0].BytesAfter >= quota/2 {
		t.Errorf("members = %+v, want the database shrunk well below the quota", res.Members)
	}
	if res.Revision == 0 {
		t.Errorf("revision = 0")
	}
	if _, _, err := s.Txn(ctx, nil, []Op{{Key: "/midonet/probe", Value: []byte("x")}}); err != nil {
		t.Fatalf("a write after compaction: %v", err)
	}
	got, err := s.Client().Get(ctx, "/midonet/filler", clientv3.WithCountOnly())
	if err != nil || got.Count != 1 {
		t.Fatalf("the live key after compaction: %v, count %v", err, got)
	}
	// A second compaction has nothing to do and says so.
	res, err = s.Compact(ctx)
	if err != nil || len(res.AlarmsCleared) != 0 {
		t.Fatalf("second compaction = %+v, %v", res, err)
	}
}
