package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/midonet-go/midonet/internal/hosts"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/topology"
)

// MeterReport is `midonet metering --json`: every metering label of the active topology
// with the packets and bytes it counted, in total and per host (each agent's datapath counts
// what it simulated since it started; a host whose agent is gone no longer reports).
type MeterReport struct {
	Labels []MeterLabelReport `json:"labels"`
}

// MeterLabelReport is one label's counters.
type MeterLabelReport struct {
	LabelID   string            `json:"label_id"`
	Name      string            `json:"name"`
	ProjectID string            `json:"project_id"`
	Shared    bool              `json:"shared"`
	Packets   uint64            `json:"packets"`
	Bytes     uint64            `json:"bytes"`
	Hosts     []MeterHostReport `json:"hosts"`
}

// MeterHostReport is what one host counted for a label.
type MeterHostReport struct {
	HostID  string `json:"host_id"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Metering builds the report from the NSDB: the labels of the active data version and the
// counters the agents last published (as the metering agent's reports did, per label).
func Metering(ctx context.Context, store *nsdb.Store) (*MeterReport, error) {
	v, err := activeVersion(ctx, store)
	if err != nil {
		return nil, err
	}
	objs, err := store.Objects(ctx, v, topology.KindMeterLabel)
	if err != nil {
		return nil, fmt.Errorf("metering: labels: %w", err)
	}
	byID := map[string]*MeterLabelReport{}
	rep := &MeterReport{Labels: []MeterLabelReport{}}
	for _, o := range objs {
		l, ok := o.(*topology.MeteringLabel)
		if !ok {
			continue
		}
		rep.Labels = append(rep.Labels, MeterLabelReport{LabelID: l.ID, Name: l.Name, ProjectID: l.TenantID, Shared: l.Shared, Hosts: []MeterHostReport{}})
	}
	sort.Slice(rep.Labels, func(i, j int) bool { return rep.Labels[i].LabelID < rep.Labels[j].LabelID })
	for i := range rep.Labels {
		byID[rep.Labels[i].LabelID] = &rep.Labels[i]
	}
	dps, err := hosts.Datapaths(ctx, store)
	if err != nil {
		return nil, err
	}
	sort.Slice(dps, func(i, j int) bool { return dps[i].HostID < dps[j].HostID })
	for _, dp := range dps {
		for _, m := range dp.Meters {
			l := byID[m.LabelID]
			if l == nil {
				continue // a label deleted since
			}
			l.Packets += m.Packets
			l.Bytes += m.Bytes
			l.Hosts = append(l.Hosts, MeterHostReport{HostID: dp.HostID, Packets: m.Packets, Bytes: m.Bytes})
		}
	}
	return rep, nil
}

// WriteMetering is `midonet metering`: the report as one JSON document, or a table.
func WriteMetering(ctx context.Context, o Options, w io.Writer, asJSON bool) error {
	store, err := OpenNSDBOnly(ctx, o)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := Metering(ctx, store)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LABEL\tNAME\tPROJECT\tSHARED\tPACKETS\tBYTES\tHOSTS")
	for _, l := range rep.Labels {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\t%d\t%d\n", l.LabelID, l.Name, l.ProjectID, l.Shared, l.Packets, l.Bytes, len(l.Hosts))
	}
	return tw.Flush()
}
