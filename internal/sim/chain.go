package sim

import "github.com/midonet-go/midonet/internal/topology"

// firewallNote names the firewall and the firewall rule a decision came from.
func firewallNote(ch *chain, r *rule) string {
	n := "firewall " + ch.fw
	if id := r.obj.Metadata[topology.MetaFirewallRuleID]; id != "" {
		n += " rule " + id
	}
	return n
}

// runFilter evaluates one filter chain; the answer is ACCEPT, DROP or REJECT.
func (c *ctx) runFilter(fr *frame, ch *chain, dev *device, p *port, portFilter bool) action {
	c.nChains, c.nSGs, c.decRule, c.decChain, c.natFail = 0, 0, nil, nil, false
	c.portFilter, c.filterPort = portFilter, p
	c.view.load(&fr.pkt)
	a := c.evalChain(fr, ch, dev)
	switch a {
	case actDrop, actReject:
	default:
		a = actAccept
	}
	if c.nChains > 0 {
		c.logFilter(fr, a)
	}
	if c.trace {
		h := Hop{Device: dev.id, DeviceType: dev.typeName(), Port: portID(p), Chain: ch.id, ChainName: ch.name, RuleAction: a.String()}
		if c.decRule != nil {
			h.Rule = c.decRule.id
			if c.decChain != ch {
				h.Note = "decided in " + c.decChain.name
			}
			if fw := c.decChain.fw; fw != "" {
				h.Note = firewallNote(c.decChain, c.decRule)
			}
		} else {
			h.Note = "no rule decided: accept"
		}
		c.hop(h)
	}
	return a
}

// evalChain runs the rules of one chain. It returns actNone when the chain ends without a
// decision (fell off or RETURN), else the decisive action.
func (c *ctx) evalChain(fr *frame, ch *chain, dev *device) action {
	if c.nChains < maxChains {
		c.chains[c.nChains] = ch
		c.nChains++
	}
	if ch.sg != "" && c.nSGs < maxSGs {
		c.sgs[c.nSGs] = ch.sg
		c.nSGs++
	}
	v := &c.view
	fragBit := uint8(1) << v.frag
	for i := range ch.rules {
		r := &ch.rules[i]
		k := &r.cond
		if k.fragMask&fragBit == 0 {
			continue
		}
		if k.quick {
			if k.set&fTpDst != 0 && (v.tpDst >= k.tpDst[0] && v.tpDst <= k.tpDst[1]) == (k.inv&fTpDst != 0) {
				continue
			}
			if k.set&fNwProto != 0 && (v.hasProto && v.proto == k.nwProto) == (k.inv&fNwProto != 0) {
				continue
			}
		}
		if !c.match(fr, k, c.portFilter) {
			continue
		}
		switch r.typ {
		case typJump:
			if r.jump == nil || c.seen(r.jump) {
				continue
			}
			if c.trace {
				c.hop(Hop{Device: dev.id, DeviceType: dev.typeName(), Port: portID(c.filterPort), Chain: ch.id, ChainName: ch.name, Rule: r.id, RuleAction: "JUMP", Note: "to " + r.jump.name})
			}
			if a := c.evalChain(fr, r.jump, dev); a != actNone {
				return a
			}
		case typNAT:
			applied := c.applyNAT(fr, r, dev, ch)
			if applied {
				c.view.load(&fr.pkt)
			}
			if c.natFail {
				c.decRule, c.decChain = r, ch
				return actDrop
			}
			if !applied {
				continue
			}
			switch r.action {
			case actAccept, actDrop, actReject:
				c.decRule, c.decChain = r, ch
				return r.action
			case actReturn:
				return actNone
			}
		default:
			switch r.action {
			case actAccept, actDrop, actReject:
				c.decRule, c.decChain = r, ch
				if ch.loggers != nil && r.obj.Metadata != nil {
					c.logDecision(fr, ch, dev, r, r.action == actAccept)
				}
				return r.action
			case actReturn:
				if ch.loggers != nil && r.obj.Metadata != nil {
					c.logDecision(fr, ch, dev, r, true)
				}
				if c.trace {
					h := Hop{Device: dev.id, DeviceType: dev.typeName(), Port: portID(c.filterPort), Chain: ch.id, ChainName: ch.name, Rule: r.id, RuleAction: "RETURN"}
					if ch.fw != "" {
						h.Note = firewallNote(ch, r) + ": allowed"
					}
					c.hop(h)
				}
				return actNone
			}
		}
	}
	return actNone
}

func (c *ctx) seen(ch *chain) bool {
	for i := 0; i < c.nChains; i++ {
		if c.chains[i] == ch {
			return true
		}
	}
	return c.nChains >= maxChains
}

// filterDrop records the drop decided by the last runFilter.
func (c *ctx) filterDrop(fr *frame, dev *device, p *port, a action) {
	if fr.generated {
		c.dropf(fr, DropRule, dev.id, portID(p), "generated packet dropped by a filter")
		return
	}
	if c.res.Drop != nil {
		return
	}
	d := &Drop{Kind: DropRule, DeviceID: dev.id, PortID: portID(p)}
	if c.natFail {
		d.Kind = DropNATExhausted
	}
	if r, ch := c.decRule, c.decChain; r != nil {
		d.RuleID, d.ChainID, d.ChainName = r.id, ch.id, ch.name
		if ch.antiSpoof {
			d.Kind = DropAntiSpoof
		}
		d.SecurityGroupID = ch.sg
		if ch.fw != "" {
			d.FirewallID, d.FirewallRuleID = ch.fw, r.obj.Metadata[topology.MetaFirewallRuleID]
		}
	}
	if c.nSGs > 0 {
		d.SecurityGroupIDs = append([]string(nil), c.sgs[:c.nSGs]...)
		if d.SecurityGroupID == "" {
			d.SecurityGroupID = d.SecurityGroupIDs[0]
		}
	}
	switch {
	case d.Kind == DropAntiSpoof:
		d.Reason = "anti-spoofing: source address or MAC not allowed on port " + d.PortID
	case d.Kind == DropNATExhausted:
		d.Reason = "no free SNAT port for rule " + d.RuleID
	case d.FirewallRuleID != "":
		d.Reason = a.String() + " by firewall " + d.FirewallID + " rule " + d.FirewallRuleID + " (chain " + d.ChainName + ")"
	case d.FirewallID != "":
		d.Reason = a.String() + " by firewall " + d.FirewallID + ": no rule of its policy allowed it (chain " + d.ChainName + ")"
	case d.RuleID != "":
		d.Reason = a.String() + " by rule " + d.RuleID + " of chain " + d.ChainName
	default:
		d.Reason = a.String() + " by a filter"
	}
	c.res.Drop = d
	if a == actReject && dev.kind == kindRouter && fr.inPort != nil && fr.inPort.router != nil {
		c.icmpError(fr, fr.inPort, ICMPUnreachable, ICMPCodeProhibit)
	}
	if c.trace {
		c.hop(Hop{Device: dev.id, DeviceType: dev.typeName(), Port: d.PortID, Note: "drop (" + d.Kind + "): " + d.Reason})
	}
}
