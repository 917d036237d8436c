package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// DatapathInterface is one attached interface of an agent's datapath.
type DatapathInterface struct {
	HostID, PortID, Interface              string
	RxPackets, RxBytes, TxPackets, TxBytes uint64
}

// Datapath is one agent's datapath as /metrics reports it.
type Datapath struct {
	HostID                             string
	Flows                              int
	FlowHits, Simulations              uint64
	TunnelIn, TunnelOut, TunnelRefused uint64
	Interfaces                         []DatapathInterface
	Meters                             []DatapathMeter
}

// DatapathMeter is what one metering label counted on one host.
type DatapathMeter struct {
	LabelID        string
	Packets, Bytes uint64
}

type datapathCollector struct {
	read                                     func() ([]Datapath, error)
	rxPackets, rxBytes, txPackets, txBytes   *prometheus.Desc
	flows, hits, sims, tunIn, tunOut, tunRef *prometheus.Desc
	meterPackets, meterBytes                 *prometheus.Desc
}

// RegisterDatapaths exports the agents' datapath counters read returns (the agents keep them
// in the NSDB): frames and bytes per interface, flow-cache size and hits, simulations, and
// tunnel packets, labelled by host (and port and interface); and the packets and bytes each
// metering label counted, by host and label (midonet_metering_label_*; sum over host_id for
// a label's total).
func (m *Metrics) RegisterDatapaths(read func() ([]Datapath, error)) {
	ifl := []string{"host_id", "port_id", "interface"}
	host := []string{"host_id"}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc("midonet_datapath_"+name, help, labels, nil)
	}
	m.Registry.MustRegister(&datapathCollector{
		read:      read,
		rxPackets: d("rx_packets_total", "Frames received on an attached interface.", ifl),
		rxBytes:   d("rx_bytes_total", "Bytes received on an attached interface.", ifl),
		txPackets: d("tx_packets_total", "Frames sent on an attached interface.", ifl),
		txBytes:   d("tx_bytes_total", "Bytes sent on an attached interface.", ifl),
		flows:     d("flows", "Flows in the flow cache.", host),
		hits:      d("flow_hits_total", "Frames decided by the flow cache without a simulation (since the last topology change).", host),
		sims:      d("simulations_total", "Frames simulated (flow-cache misses, since the last topology change).", host),
		tunIn:     d("tunnel_rx_packets_total", "Packets received from other hosts' tunnels.", host),
		tunOut:    d("tunnel_tx_packets_total", "Packets tunnelled to other hosts.", host),
		tunRef:    d("tunnel_refused_total", "Tunnel packets refused (their sender is not a tunnel-zone member).", host),
		meterPackets: prometheus.NewDesc("midonet_metering_label_packets_total",
			"Packets a metering label counted on a host's routers (Neutron metering).", []string{"host_id", "label_id"}, nil),
		meterBytes: prometheus.NewDesc("midonet_metering_label_bytes_total",
			"Bytes of the packets a metering label counted on a host's routers (Neutron metering).", []string{"host_id", "label_id"}, nil),
	})
}

func (c *datapathCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rxPackets, c.rxBytes, c.txPackets, c.txBytes, c.flows, c.hits, c.sims, c.tunIn, c.tunOut, c.tunRef, c.meterPackets, c.meterBytes} {
		ch <- d
	}
}

func (c *datapathCollector) Collect(ch chan<- prometheus.Metric) {
	dps, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.flows, err)
		return
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, dp := range dps {
		ch <- prometheus.MustNewConstMetric(c.flows, prometheus.GaugeValue, float64(dp.Flows), dp.HostID)
		counter(c.hits, dp.FlowHits, dp.HostID)
		counter(c.sims, dp.Simulations, dp.HostID)
		counter(c.tunIn, dp.TunnelIn, dp.HostID)
		counter(c.tunOut, dp.TunnelOut, dp.HostID)
		counter(c.tunRef, dp.TunnelRefused, dp.HostID)
		for _, i := range dp.Interfaces {
			counter(c.rxPackets, i.RxPackets, dp.HostID, i.PortID, i.Interface)
			counter(c.rxBytes, i.RxBytes, dp.HostID, i.PortID, i.Interface)
			counter(c.txPackets, i.TxPackets, dp.HostID, i.PortID, i.Interface)
			counter(c.txBytes, i.TxBytes, dp.HostID, i.PortID, i.Interface)
		}
		for _, m := range dp.Meters {
			counter(c.meterPackets, m.Packets, dp.HostID, m.LabelID)
			counter(c.meterBytes, m.Bytes, dp.HostID, m.LabelID)
		}
	}
}
