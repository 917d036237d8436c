package sim

// Verdict is what happened to the simulated packet.
type Verdict string

// Verdicts.
const (
	// Forwarded: the packet (possibly rewritten) leaves through one or more exterior ports.
	Forwarded Verdict = "forwarded"
	// Dropped: nothing leaves (Drop says why; Generated may hold an ICMP error).
	Dropped Verdict = "dropped"
	// Consumed: the topology answered the packet itself (ARP reply, ICMP echo reply, DHCP
	// reply, ARP learned by a router); the answers are in Generated.
	Consumed Verdict = "consumed"
)

// Drop kinds.
const (
	DropRule         = "rule"          // a DROP or REJECT rule of a chain
	DropAntiSpoof    = "anti-spoof"    // the DROP of a port's anti-spoofing chain
	DropAdminDown    = "admin-down"    // port, bridge or router administratively down
	DropNoRoute      = "no-route"      // no route matched (ICMP net unreachable generated)
	DropNoARP        = "no-arp"        // next-hop MAC unknown (an ARP request is generated)
	DropLoop         = "loop"          // more than MaxDevices devices traversed
	DropTTL          = "ttl"           // TTL expired (ICMP time exceeded generated)
	DropBlackhole    = "blackhole"     // BLACKHOLE route
	DropReject       = "reject"        // REJECT route (ICMP prohibited generated)
	DropLocal        = "local"         // addressed to the router itself but not an echo request
	DropMAC          = "mac"           // router: frame not addressed to the in-port MAC
	DropProtocol     = "protocol"      // router: not IPv4/ARP, VLAN-tagged; bridge: bad source MAC
	DropARP          = "arp"           // router: ARP it does not answer
	DropNoEgress     = "no-egress"     // nowhere to send it (empty flood, port neither exterior nor linked)
	DropHairpin      = "hairpin"       // bridge: destination MAC is behind the in-port
	DropNoPort       = "no-port"       // ingress port unknown
	DropNATExhausted = "nat-exhausted" // no free SNAT port
)

// Result is the outcome of one simulation.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Egress lists the copies of the packet that leave the topology, with the exterior port
	// each leaves from and its headers as rewritten on the way.
	Egress []Emit `json:"egress"`
	// Generated lists packets the topology produced in answer (ARP and ICMP echo replies,
	// ICMP errors, ARP requests, DHCP replies), each with the exterior port it leaves from.
	Generated []Emit `json:"generated"`
	// Mirrored lists the copies mirrors made (TaaS): each leaves the tap port it names, as the
	// packet was at the mirror's tap point. They do not change the verdict.
	Mirrored []Emit `json:"mirrored"`
	// Drop is set when the packet (or every copy of it) was dropped.
	Drop *Drop `json:"drop,omitempty"`
	// Trace is the list of steps, filled only when tracing was asked for.
	Trace []Hop `json:"trace"`
	// FlowState is the flow state the simulation wrote, encoded for other hosts (only with
	// Options.RecordFlowState; flowstate.go).
	FlowState []byte `json:"-"`
	// FlowStateShared says FlowState holds learned ARP or MAC entries, which every host
	// needs, not only the hosts of the egress ports.
	FlowStateShared bool `json:"-"`
}

// Emit is a packet leaving the topology.
type Emit struct {
	PortID string `json:"port_id"`
	Packet Packet `json:"packet"`
	// From is, for a generated packet, the device port that emitted it (a router port for
	// router replies, the ingress bridge port for ARP suppression and DHCP).
	From string `json:"from"`
	// Mirror is, for a mirrored copy, the mirror that made it; Generated says the copy is of
	// a packet the topology produced (built, not rewritten from the frame that came in).
	Mirror    string `json:"mirror,omitempty"`
	Generated bool   `json:"generated,omitempty"`
}

// Drop describes why a packet was dropped.
type Drop struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	// DeviceID is the bridge or router where the drop happened (for a port filter, the
	// device owning the port); PortID the port whose filter or state dropped it.
	DeviceID string `json:"device_id"`
	PortID   string `json:"port_id"`
	// ChainID/ChainName/RuleID name the rule that dropped it (rule and anti-spoof drops):
	// the chain holding the rule, which may be a chain jumped to from the filter.
	ChainID   string `json:"chain_id"`
	ChainName string `json:"chain_name"`
	RuleID    string `json:"rule_id"`
	// SecurityGroupID is the security group whose chain held the dropping rule or, when the
	// drop is a port chain's final DROP after its security-group jumps found nothing, the
	// first group checked. SecurityGroupIDs lists every group whose chain was evaluated in
	// that filter, in order.
	SecurityGroupID  string   `json:"security_group_id"`
	SecurityGroupIDs []string `json:"security_group_ids"`
}

// Hop is one step of a trace.
type Hop struct {
	Device     string `json:"device"`      // bridge, router or port id
	DeviceType string `json:"device_type"` // "bridge", "router", "port"
	Port       string `json:"port"`
	Direction  string `json:"direction"` // "ingress", "egress" (ports), "" for devices
	Chain      string `json:"chain"`
	ChainName  string `json:"chain_name"`
	Rule       string `json:"rule"`
	RuleAction string `json:"rule_action"`
	NAT        string `json:"nat"` // "before → after" when a NAT rule rewrote the packet
	Note       string `json:"note"`
}
