package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// BgpSession is one BGP session as /metrics reports it.
type BgpSession struct {
	PeerID, RouterID, HostID, Address, State string
	Received, Advertised                     uint64
}

// bgpCollector reads the sessions at each scrape (the agents keep them in the NSDB).
type bgpCollector struct {
	read                 func() ([]BgpSession, error)
	up, received, posted *prometheus.Desc
}

// RegisterBgpSessions exports the BGP sessions read returns: midonet_bgp_session_up (1 when
// established), midonet_bgp_prefixes_received and midonet_bgp_prefixes_advertised, labelled
// by peer, router, host and peer address.
func (m *Metrics) RegisterBgpSessions(read func() ([]BgpSession, error)) {
	labels := []string{"peer_id", "router_id", "host_id", "peer_address"}
	m.Registry.MustRegister(&bgpCollector{
		read:     read,
		up:       prometheus.NewDesc("midonet_bgp_session_up", "BGP sessions run by the agents: 1 when established, 0 otherwise.", append(labels, "state"), nil),
		received: prometheus.NewDesc("midonet_bgp_prefixes_received", "Prefixes received from the peer.", labels, nil),
		posted:   prometheus.NewDesc("midonet_bgp_prefixes_advertised", "Prefixes advertised to the peer.", labels, nil),
	})
}

func (c *bgpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.up
	ch <- c.received
	ch <- c.posted
}

func (c *bgpCollector) Collect(ch chan<- prometheus.Metric) {
	sessions, err := c.read()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.up, err)
		return
	}
	for _, s := range sessions {
		up := 0.0
		if s.State == "established" {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, s.PeerID, s.RouterID, s.HostID, s.Address, s.State)
		ch <- prometheus.MustNewConstMetric(c.received, prometheus.GaugeValue, float64(s.Received), s.PeerID, s.RouterID, s.HostID, s.Address)
		ch <- prometheus.MustNewConstMetric(c.posted, prometheus.GaugeValue, float64(s.Advertised), s.PeerID, s.RouterID, s.HostID, s.Address)
	}
}
