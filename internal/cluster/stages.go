package cluster

import (
	"context"
	"sync/atomic"
	"time"
)

// Stages records when one write's apply passed each step inside the cluster, so that the
// time from its database commit to its topology in the NSDB can be split into its parts
// (the API's /metrics, midonet_commit_to_applied_stage_seconds). The API puts one in the
// context of its call (WithStages); ApplyGrouped and the apply fill it in. The times are
// atomic: an in-process call whose caller gave up may still be writing them.
type Stages struct {
	entered   atomic.Int64 // ApplyGrouped called (UnixNano)
	started   atomic.Int64 // the apply holding this write began (the cluster's lock held)
	prepared  atomic.Int64 // its translation done
	sent      atomic.Int64 // its etcd transaction sent (the one before it answered)
	committed atomic.Int64 // the etcd transaction answered
}

// StageTimes are the instants a Stages recorded; a zero time is a step not reached (or not
// seen: a call to a cluster in another process).
type StageTimes struct {
	Entered, Started, Prepared, Sent, Committed time.Time
}

// Times returns what s recorded.
func (s *Stages) Times() StageTimes {
	t := func(v *atomic.Int64) time.Time {
		if n := v.Load(); n != 0 {
			return time.Unix(0, n)
		}
		return time.Time{}
	}
	return StageTimes{Entered: t(&s.entered), Started: t(&s.started), Prepared: t(&s.prepared), Sent: t(&s.sent), Committed: t(&s.committed)}
}

// copyApply copies the apply's steps of from (started, prepared, sent, committed) into s.
func (s *Stages) copyApply(from *Stages) {
	s.started.Store(from.started.Load())
	s.prepared.Store(from.prepared.Load())
	s.sent.Store(from.sent.Load())
	s.committed.Store(from.committed.Load())
}

type stagesKey struct{}

// WithStages returns a context whose applies record their steps in s.
func WithStages(ctx context.Context, s *Stages) context.Context {
	return context.WithValue(ctx, stagesKey{}, s)
}

// stagesOf is the Stages ctx carries, or nil.
func stagesOf(ctx context.Context) *Stages {
	s, _ := ctx.Value(stagesKey{}).(*Stages)
	return s
}

func stamp(v *atomic.Int64, t time.Time) { v.Store(t.UnixNano()) }
