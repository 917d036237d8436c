package etcdcluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

func client(t *testing.T, endpoints ...string) *clientv3.Client {
	t.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func get(t *testing.T, c *clientv3.Client, key string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.Get(ctx, key) // linearizable: needs a quorum
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	if len(resp.Kvs) == 0 {
		return ""
	}
	return string(resp.Kvs[0].Value)
}

func TestThreeMembers(t *testing.T) {
	c := New(t, 3)
	eps := c.Endpoints()
	if len(eps) != 3 {
		t.Fatalf("endpoints %v", eps)
	}
	a, b := client(t, eps[0]), client(t, eps[1])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.Put(ctx, "/k", "v1"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, b, "/k"); got != "v1" {
		t.Fatalf("read through member 1 = %q, want v1", got)
	}
	members, err := b.MemberList(ctx)
	if err != nil || len(members.Members) != 3 {
		t.Fatalf("member list: %v %v", members, err)
	}

	// Stop the leader: the other two elect a new one and keep accepting writes.
	leader := c.Leader()
	if leader < 0 {
		t.Fatal("no leader")
	}
	c.Stop(leader)
	var live []string
	for i, ep := range eps {
		if i != leader {
			live = append(live, ep)
		}
	}
	w, r := client(t, live[0]), client(t, live[1])
	for i := range 5 {
		if _, err := w.Put(ctx, "/k", fmt.Sprint("v", i+2)); err != nil {
			t.Fatalf("put with 2/3 members: %v", err)
		}
	}
	if got := get(t, r, "/k"); got != "v6" {
		t.Fatalf("read after leader loss = %q, want v6", got)
	}

	// The stopped member catches up when it comes back.
	c.Restart(leader)
	back := client(t, eps[leader])
	if got := get(t, back, "/k"); got != "v6" {
		t.Fatalf("restarted member reads %q, want v6", got)
	}
}

func TestStartReturnsEndpoints(t *testing.T) {
	eps := Start(t, 1)
	c := client(t, eps...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Put(ctx, "/x", "y"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c, "/x"); got != "y" {
		t.Fatalf("got %q", got)
	}
}
