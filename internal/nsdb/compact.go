package nsdb

import (
	"context"
	"errors"
	"fmt"

	"go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// CompactResult is what Compact did, for people and scripts (`db-manage nsdb-compact`).
type CompactResult struct {
	// Revision is the revision the history was compacted to (the current one).
	Revision int64 `json:"revision"`
	// Members is each endpoint's backend size before and after defragmentation.
	Members []MemberSpace `json:"members"`
	// AlarmsCleared names the NOSPACE alarms disarmed, by member id.
	AlarmsCleared []string `json:"alarms_cleared"`
}

// MemberSpace is one etcd member's database size, in bytes, around a defragmentation.
type MemberSpace struct {
	Endpoint    string `json:"endpoint"`
	BytesBefore int64  `json:"bytes_before"`
	BytesAfter  int64  `json:"bytes_after"`
}

// Compact gives the NSDB its space back: it compacts the key history to the current
// revision (old versions of every key are dropped; the live data is untouched), defragments
// every member so the freed pages return to the file system, and disarms the NOSPACE alarm
// etcd raises when its quota is reached (etcd refuses every write until it is disarmed).
func (s *Store) Compact(ctx context.Context) (CompactResult, error) {
	res := CompactResult{Members: []MemberSpace{}, AlarmsCleared: []string{}}
	if err := s.wait(ctx); err != nil {
		return res, fmt.Errorf("nsdb: compact: %w", err)
	}
	c := s.client
	get, err := c.Get(ctx, ActiveVersionKey, clientv3.WithCountOnly())
	if err != nil {
		return res, fmt.Errorf("nsdb: compact: read the revision: %w", err)
	}
	res.Revision = get.Header.Revision
	_, err = c.Compact(ctx, res.Revision, clientv3.WithCompactPhysical())
	if err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
		return res, fmt.Errorf("nsdb: compact to revision %d: %w", res.Revision, err)
	}
	for _, ep := range c.Endpoints() {
		st, err := c.Status(ctx, ep)
		if err != nil {
			return res, fmt.Errorf("nsdb: compact: status of %s: %w", ep, err)
		}
		m := MemberSpace{Endpoint: ep, BytesBefore: st.DbSize}
		if _, err := c.Defragment(ctx, ep); err != nil {
			return res, fmt.Errorf("nsdb: defragment %s: %w", ep, err)
		}
		if st, err = c.Status(ctx, ep); err != nil {
			return res, fmt.Errorf("nsdb: compact: status of %s: %w", ep, err)
		}
		m.BytesAfter = st.DbSize
		res.Members = append(res.Members, m)
	}
	alarms, err := c.AlarmList(ctx)
	if err != nil {
		return res, fmt.Errorf("nsdb: compact: list alarms: %w", err)
	}
	for _, a := range alarms.Alarms {
		if a.Alarm != etcdserverpb.AlarmType_NOSPACE {
			continue
		}
		if _, err := c.AlarmDisarm(ctx, (*clientv3.AlarmMember)(a)); err != nil {
			return res, fmt.Errorf("nsdb: disarm the NOSPACE alarm of member %x: %w", a.MemberID, err)
		}
		res.AlarmsCleared = append(res.AlarmsCleared, fmt.Sprintf("%x", a.MemberID))
	}
	return res, nil
}
