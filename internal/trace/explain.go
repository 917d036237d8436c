package trace

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/midonet-go/midonet/internal/sim"
	"github.com/midonet-go/midonet/internal/topology"
)

// Hop is one step of the simulation with its reading in Neutron's words.
type Hop struct {
	sim.Hop
	// Text is the step by Neutron names, ids in parentheses (the first time a resource is
	// named), as `midonet trace` prints it.
	Text string `json:"text"`
	// Minor marks a step that tells people nothing new (a jump into a chain, a router chain
	// where no rule applies, a device's arrival line with unchanged headers); `midonet
	// trace` shows it only with --verbose.
	Minor bool `json:"minor"`
	// Resources are the Neutron resources the step involves.
	Resources []Resource `json:"resources"`
}

// packetOf is what the request asked about, as a security-group rule would name it
// ("tcp/80", "udp/53", "icmp").
func (r Request) packetOf() string {
	switch {
	case r.DHCP:
		return "udp/67"
	case strings.EqualFold(r.Proto, "tcp"), strings.EqualFold(r.Proto, "udp"):
		return strings.ToLower(r.Proto) + "/" + fmt.Sprint(r.DPort)
	}
	return "icmp"
}

var (
	routeRE   = regexp.MustCompile(`^(route|learned route \(BGP\)) \S+: (\S+) from (\S+) → (\S+) via port (\S*)( gw \S+)?, weight \d+$`)
	unicastRE = regexp.MustCompile(`^unicast (\S+) to port (\S+)$`)
	dropRE    = regexp.MustCompile(`^drop \(([^)]*)\): `)
)

// chainRole says what a chain is for: the port it filters and in which direction
// ("entering", "leaving", "anti-spoofing"), a security group's rules, or a router stage.
func (n *namer) chainRole(chainID string) (kind, subject, role string) {
	coll, nid := n.owner(chainID)
	switch coll {
	case "ports":
		switch chainID {
		case topology.InChainID(nid):
			return "port", nid, "leaving"
		case topology.OutChainID(nid):
			return "port", nid, "entering"
		case topology.AntiSpoofChainID(nid):
			return "port", nid, "anti-spoofing"
		}
		return "port", nid, ""
	case "security_groups":
		if chainID == topology.InChainID(nid) {
			return "security_group", nid, "egress"
		}
		return "security_group", nid, "ingress"
	case "routers":
		switch chainID {
		case topology.InChainID(nid):
			return "router", nid, "pre-routing"
		case topology.OutChainID(nid):
			return "router", nid, "post-routing"
		case topology.FwdChainID(nid):
			return "router", nid, "forward"
		}
		return "router", nid, "NAT"
	}
	return coll, nid, ""
}

// explain reads every hop of a result in Neutron's words.
func (n *namer) explain(req Request, res *sim.Result, ingress string) []Hop {
	out := make([]Hop, 0, len(res.Trace))
	last := ingress
	for _, h := range res.Trace {
		before := maps.Clone(n.seen)
		text, minor := n.hopText(req, res, h, &last)
		if minor {
			// People do not see a minor step: the next mention still gives the id.
			n.seen = before
		}
		hop := Hop{Hop: h, Text: text, Minor: minor, Resources: n.resources(h)}
		if d := res.Drop; d != nil && dropRE.MatchString(h.Note) && h.Device == d.DeviceID && h.Port == d.PortID {
			// The drop names the security groups that let nothing through.
			for _, g := range append([]string{d.SecurityGroupID}, d.SecurityGroupIDs...) {
				if g != "" && !slices.ContainsFunc(hop.Resources, func(r Resource) bool { return r.ID == g }) {
					hop.Resources = append(hop.Resources, Resource{Type: "security_group", ID: g, Name: str(n.doc("security_groups", g), "name")})
				}
			}
		}
		out = append(out, hop)
	}
	return out
}

// portSubject names the VM port a port filter guards, as the subject of a sentence.
func (n *namer) portSubject(topoPort string) string { return n.shortEndpoint(topoPort) }

func (n *namer) hopText(req Request, res *sim.Result, h sim.Hop, last *string) (string, bool) {
	switch {
	case h.DeviceType == "port" && (h.Direction == "ingress" || h.Direction == "egress") && h.Note == "":
		dev := n.deviceOf(h.Port)
		if h.Direction == "ingress" {
			return "enters " + n.device(dev) + " from " + n.port(h.Port, dev), false
		}
		return "leaves " + n.device(dev) + " to " + n.port(h.Port, dev), false
	case h.DeviceType == "port" && strings.HasPrefix(h.Note, "qos policy "):
		return n.relabel(h.Note, ""), false
	case h.NAT != "":
		return n.natText(h), false
	case h.Chain != "":
		return n.chainText(h)
	}
	note := h.Note
	dev := n.device(h.Device)
	switch {
	case strings.HasPrefix(note, "in "):
		hdr := strings.TrimPrefix(note, "in ")
		if hdr == *last {
			return dev + ": " + hdr, true
		}
		*last = hdr
		return dev + ": the packet is now " + hdr, false
	case dropRE.MatchString(note):
		if res.Drop != nil && h.Device == res.Drop.DeviceID && h.Port == res.Drop.PortID {
			return n.dropSentence(req, res.Drop, false), false
		}
		return dev + ": " + n.relabel(note, h.Device), false
	}
	if m := routeRE.FindStringSubmatch(note); m != nil {
		via := n.port(m[5], h.Device)
		what := m[1]
		from := ""
		if m[3] != "0.0.0.0/0" && m[3] != "::/0" {
			from = " from " + m[3]
		}
		gw := ""
		if m[6] != "" {
			gw = " via " + strings.TrimPrefix(m[6], " gw ")
		}
		switch m[4] {
		case topology.NextHopPort:
			return fmt.Sprintf("%s: %s to %s%s goes out of %s%s", dev, what, m[2], from, via, gw), false
		case topology.NextHopLocal:
			return fmt.Sprintf("%s: %s is one of the router's own addresses", dev, m[2]), false
		}
		return fmt.Sprintf("%s: %s to %s%s is %s", dev, what, m[2], from, strings.ToLower(m[4])), false
	}
	if m := unicastRE.FindStringSubmatch(note); m != nil {
		return fmt.Sprintf("%s: %s is %s", dev, m[1], n.port(m[2], h.Device)), false
	}
	if strings.HasPrefix(note, "conntrack: ") {
		return dev + ": connection tracked, its replies will be let back in", false
	}
	if h.Device == "" {
		return n.relabel(note, ""), false
	}
	return dev + ": " + n.relabel(note, h.Device), false
}

// chainText reads a filter step: a port's security (by the VM's side), a security group's
// rules, a router's chains.
func (n *namer) chainText(h sim.Hop) (string, bool) {
	kind, subject, role := n.chainRole(h.Chain)
	ruleColl, ruleID := n.owner(h.Rule)
	switch kind {
	case "port":
		who := n.portSubject(h.Port)
		if role == "anti-spoofing" {
			if h.RuleAction == "RETURN" {
				return "leaving " + who + ": source address and MAC are the port's own (anti-spoofing)", false
			}
			return "leaving " + who + ": anti-spoofing " + h.RuleAction, h.RuleAction == "JUMP"
		}
		_ = subject
		switch h.RuleAction {
		case "JUMP":
			return fmt.Sprintf("%s %s: checked against %s", role, who, n.jumpTarget(h.Note)), true
		case "ACCEPT":
			switch {
			case ruleColl == "security_group_rules":
				sg := str(n.doc(ruleColl, ruleID), "security_group_id")
				return fmt.Sprintf("%s %s: allowed by %s %s", role, who, n.group(sg, false), n.rule(ruleID)), false
			case h.Rule == "":
				return fmt.Sprintf("%s %s: allowed (no rule applies)", role, who), false
			case strings.Contains(h.Note, "ANTI_SPOOF"):
				return fmt.Sprintf("%s %s: allowed", role, who), false
			}
			return fmt.Sprintf("%s %s: allowed as a reply of a tracked connection", role, who), false
		}
		// The drop line that follows says why, from the VM's side.
		return fmt.Sprintf("%s %s: %s", role, who, h.RuleAction), true
	case "security_group":
		return fmt.Sprintf("%s %s rules: %s %s", n.group(subject, false), role, h.RuleAction, n.label(h.Rule, "")), h.RuleAction != "DROP"
	case "router":
		r := n.device(h.Device)
		switch {
		case h.RuleAction == "JUMP":
			return fmt.Sprintf("%s %s: checked against %s", r, role, n.jumpTarget(h.Note)), true
		case h.Rule == "":
			return fmt.Sprintf("%s %s: no rule applies", r, role), true
		case h.RuleAction == "ACCEPT" || h.RuleAction == "RETURN":
			return fmt.Sprintf("%s %s: %s by %s", r, role, strings.ToLower(h.RuleAction)+"ed", n.label(h.Rule, h.Device)), true
		}
		return fmt.Sprintf("%s %s: %s by %s", r, role, h.RuleAction, n.label(h.Rule, h.Device)), false
	}
	what := n.label(h.Chain, h.Device)
	if h.ChainName != "" && what == h.Chain {
		what = "chain " + h.ChainName
	}
	text := fmt.Sprintf("%s: %s", what, h.RuleAction)
	if h.Rule != "" {
		text += " by " + n.label(h.Rule, h.Device)
	}
	return text, h.RuleAction == "JUMP"
}

// jumpTarget reads the chain name of a "to OS_…" note as what it is.
func (n *namer) jumpTarget(note string) string {
	name := strings.TrimPrefix(note, "to ")
	if id := uuidRE.FindString(strings.ReplaceAll(name, "_", " ")); id != "" {
		switch {
		case strings.HasPrefix(name, "OS_SG_"):
			return n.group(id, false)
		case strings.Contains(name, "ANTI_SPOOF"):
			return "anti-spoofing"
		}
		words := strings.Trim(strings.TrimPrefix(strings.Replace(name, id, "", 1), "OS_"), "_")
		return "its " + strings.ToLower(strings.ReplaceAll(words, "_", " ")) + " rules"
	}
	return name
}

// natText reads a NAT step: which address became which, and for what (a floating IP, the
// router's gateway).
func (n *namer) natText(h sim.Hop) string {
	r := n.device(h.Device)
	coll, _ := n.owner(h.Rule)
	why := ""
	switch coll {
	case "floatingips":
		why = " for " + n.label(h.Rule, h.Device)
	case "routers":
		why = " (the router's gateway SNAT)"
	}
	return fmt.Sprintf("%s: %s %s%s", r, h.Note, h.NAT, why)
}

// dropSentence says why a packet was dropped, from the VM's side for a port's security:
// "blocked entering vm-c (…) by security group `locked` (…): no rule allows tcp/80".
func (n *namer) dropSentence(req Request, d *sim.Drop, always bool) string {
	if d == nil {
		return ""
	}
	kind, _, role := n.chainRole(d.ChainID)
	who := n.endpoint(d.PortID)
	switch {
	case d.Kind == sim.DropAntiSpoof:
		src := req.SrcIP
		if src == "" {
			src = "its source address"
		}
		return fmt.Sprintf("blocked leaving %s by anti-spoofing: %s is not one of the port's addresses or allowed address pairs", who, src)
	case d.Kind == sim.DropRule && kind == "port" && (role == "entering" || role == "leaving"):
		var groups []string
		seen := map[string]bool{}
		for _, g := range append([]string{d.SecurityGroupID}, d.SecurityGroupIDs...) {
			if g != "" && !seen[g] {
				seen[g] = true
				groups = append(groups, g)
			}
		}
		dir := "ingress"
		if role == "leaving" {
			dir = "egress"
		}
		switch len(groups) {
		case 0:
			return fmt.Sprintf("blocked %s %s: the port has port security and no security group", role, who)
		case 1:
			return fmt.Sprintf("blocked %s %s by %s: no %s rule allows %s", role, who, n.group(groups[0], true), dir, req.packetOf())
		}
		names := make([]string, len(groups))
		for i, g := range groups {
			names[i] = strings.TrimPrefix(n.group(g, true), "security group ")
		}
		return fmt.Sprintf("blocked %s %s by security groups %s: no %s rule of any allows %s", role, who, strings.Join(names, ", "), dir, req.packetOf())
	}
	where := n.labelFull(d.DeviceID)
	if d.PortID != "" && d.PortID != d.DeviceID {
		where += " at " + n.labelFull(d.PortID)
	}
	reason := relabelWith(d.Reason, n.labelFull)
	return fmt.Sprintf("dropped by %s (%s): %s", where, d.Kind, reason)
}

// labelFull is label with the id always shown.
func (n *namer) labelFull(id string) string {
	saved := n.seen
	n.seen = map[string]bool{}
	defer func() { n.seen = saved }()
	return n.label(id, "")
}

// summary is the verdict in one sentence.
func (n *namer) summary(req Request, r *Response) string {
	switch r.Verdict {
	case string(sim.Forwarded):
		outs := make([]string, len(r.Egress))
		for i, e := range r.Egress {
			outs[i] = n.endpoint(e.PortID)
		}
		return "forwarded to " + strings.Join(outs, ", ")
	case string(sim.Consumed):
		if len(r.Generated) == 0 {
			return "answered by the network"
		}
		outs := make([]string, len(r.Generated))
		for i, e := range r.Generated {
			outs[i] = e.Headers + " to " + n.endpoint(e.PortID)
		}
		return "answered by the network: " + strings.Join(outs, ", ")
	}
	s := n.dropSentence(req, r.Drop, true)
	if s == "" {
		s = "dropped"
	}
	return s
}
