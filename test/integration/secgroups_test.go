package integration

import (
	"slices"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
)

// ruleShape is what identifies a rule to a user, without its IDs.
type ruleShape struct {
	dir, ether, proto, prefix string
	remoteGroup               bool
}

func shapes(rs []rules.SecGroupRule) []ruleShape {
	out := make([]ruleShape, len(rs))
	for i, r := range rs {
		out[i] = ruleShape{r.Direction, r.EtherType, r.Protocol, r.RemoteIPPrefix, r.RemoteGroupID != ""}
	}
	slices.SortFunc(out, func(a, b ruleShape) int {
		if a.dir+a.ether != b.dir+b.ether {
			if a.dir+a.ether < b.dir+b.ether {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

func TestSecurityGroups(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const project = "it-sg"
		c := e.admin(project)

		var def groups.SecGroup
		t.Run("default group", func(t *testing.T) {
			def = defaultGroup(t, c, project)
			if def.ProjectID != project || !uuidRE.MatchString(def.ID) {
				t.Errorf("default group = %+v", def)
			}
			want := []ruleShape{
				{"egress", "IPv4", "", "", false},
				{"egress", "IPv6", "", "", false},
				{"ingress", "IPv4", "", "", true},
				{"ingress", "IPv6", "", "", true},
			}
			if got := shapes(def.Rules); !slices.Equal(got, want) {
				t.Errorf("default rules = %+v, want %+v", got, want)
			}
			for _, r := range def.Rules {
				if r.RemoteGroupID != "" && r.RemoteGroupID != def.ID {
					t.Errorf("ingress rule's remote group %s is not the default group %s", r.RemoteGroupID, def.ID)
				}
			}
			listed := listRules(t, c, rules.ListOpts{SecGroupID: def.ID})
			if len(listed) != 4 {
				t.Errorf("security-group-rules?security_group_id=default gave %d rules, want 4", len(listed))
			}
			if again := listGroups(t, c, groups.ListOpts{TenantID: project}); len(again) != 1 {
				t.Errorf("listing twice made %d groups, want 1", len(again))
			}
		})

		var sg *groups.SecGroup
		t.Run("create group", func(t *testing.T) {
			var err error
			sg, err = groups.Create(ctx(t), c, groups.CreateOpts{Name: "web", Description: "web servers"}).Extract()
			must(t, err)
			if sg.Name != "web" || sg.Description != "web servers" || sg.ProjectID != project {
				t.Errorf("group = %+v", sg)
			}
			want := []ruleShape{{"egress", "IPv4", "", "", false}, {"egress", "IPv6", "", "", false}}
			if got := shapes(sg.Rules); !slices.Equal(got, want) {
				t.Errorf("new group's rules = %+v, want two egress rules", got)
			}
			twin, err := groups.Create(ctx(t), c, groups.CreateOpts{Name: "web"}).Extract()
			must(t, err)
			if twin.ID == sg.ID {
				t.Errorf("a second group named web got the same id")
			}
			wantError(t, groups.Create(ctx(t), c, groups.CreateOpts{Name: "default"}).Err, 409, "SecurityGroupDefaultAlreadyExists")
		})
		if sg == nil {
			t.Fatal("no group to continue with")
		}

		var ssh *rules.SecGroupRule
		t.Run("create rules", func(t *testing.T) {
			var err error
			ssh, err = rules.Create(ctx(t), c, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
				Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "0.0.0.0/0"}).Extract()
			must(t, err)
			if !uuidRE.MatchString(ssh.ID) || ssh.SecGroupID != sg.ID || ssh.Protocol != "tcp" || ssh.PortRangeMin != 22 ||
				ssh.PortRangeMax != 22 || ssh.RemoteIPPrefix != "0.0.0.0/0" || ssh.Direction != "ingress" || ssh.ProjectID != project {
				t.Errorf("ssh rule = %+v", ssh)
			}
			got, err := rules.Get(ctx(t), c, ssh.ID).Extract()
			must(t, err)
			if *got != *ssh {
				t.Errorf("show = %+v, want %+v", got, ssh)
			}

			cases := []struct {
				name       string
				body       doc
				proto      string
				min        int
				max        int
				prefix     string
				normalized string // normalized_cidr, when a prefix is given
			}{
				{"icmp type and code", doc{"protocol": "icmp", "port_range_min": 8, "port_range_max": 0}, "icmp", 8, 0, "", ""},
				{"protocol number as a string", doc{"protocol": "47"}, "47", 0, 0, "", ""},
				{"protocol number as an integer", doc{"protocol": 132}, "132", 0, 0, "", ""},
				{"udp range", doc{"protocol": "udp", "port_range_min": 1000, "port_range_max": 2000}, "udp", 1000, 2000, "", ""},
				{"prefix with host bits", doc{"protocol": "tcp", "port_range_min": 80, "port_range_max": 80, "remote_ip_prefix": "10.1.2.3/8"}, "tcp", 80, 80, "10.1.2.3/8", "10.0.0.0/8"},
				{"ipv4 prefix", doc{"protocol": "tcp", "port_range_min": 443, "port_range_max": 443, "remote_ip_prefix": "192.168.0.0/16"}, "tcp", 443, 443, "192.168.0.0/16", "192.168.0.0/16"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					body := doc{"security_group_id": sg.ID, "direction": "ingress", "ethertype": "IPv4"}
					for k, v := range tc.body {
						body[k] = v
					}
					r, err := rules.Create(ctx(t), c, doc{"security_group_rule": body}).Extract()
					must(t, err)
					if r.Protocol != tc.proto || r.PortRangeMin != tc.min || r.PortRangeMax != tc.max || r.RemoteIPPrefix != tc.prefix {
						t.Errorf("rule = %+v, want protocol %s ports %d-%d prefix %q", r, tc.proto, tc.min, tc.max, tc.prefix)
					}
					if tc.normalized != "" {
						out := get(t, c, "security-group-rules/"+r.ID)
						if got := out["security_group_rule"].(map[string]any)["normalized_cidr"]; got != tc.normalized {
							t.Errorf("normalized_cidr = %v, want %s", got, tc.normalized)
						}
					}
				})
			}

			fromGroup, err := rules.Create(ctx(t), c, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress,
				EtherType: rules.EtherType6, RemoteGroupID: def.ID}).Extract()
			must(t, err)
			if fromGroup.RemoteGroupID != def.ID || fromGroup.Protocol != "" || fromGroup.RemoteIPPrefix != "" {
				t.Errorf("remote group rule = %+v", fromGroup)
			}
			icmp6, err := rules.Create(ctx(t), c, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress,
				EtherType: rules.EtherType6, Protocol: rules.ProtocolIPv6ICMP}).Extract()
			must(t, err)
			if icmp6.Protocol != "ipv6-icmp" {
				t.Errorf("ipv6-icmp rule protocol = %q", icmp6.Protocol)
			}
		})

		t.Run("duplicate rule", func(t *testing.T) {
			err := rules.Create(ctx(t), c, rules.CreateOpts{SecGroupID: sg.ID, Direction: rules.DirIngress, EtherType: rules.EtherType4,
				Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "0.0.0.0/0"}).Err
			wantErrorMentions(t, err, 409, "SecurityGroupRuleExists", ssh.ID)
		})

		t.Run("invalid rules", func(t *testing.T) {
			cases := []struct {
				name   string
				body   doc
				status int
				typ    string
			}{
				{"port_range_min above max", doc{"protocol": "tcp", "port_range_min": 100, "port_range_max": 90}, 400, "SecurityGroupInvalidPortRange"},
				{"ports without a protocol", doc{"port_range_min": 80, "port_range_max": 80}, 400, "SecurityGroupProtocolRequiredWithPorts"},
				{"port 0", doc{"protocol": "tcp", "port_range_min": 0, "port_range_max": 10}, 400, "SecurityGroupInvalidPortValue"},
				{"port 70000", doc{"protocol": "tcp", "port_range_min": 1, "port_range_max": 70000}, 400, "SecurityGroupInvalidPortValue"},
				{"icmp type 256", doc{"protocol": "icmp", "port_range_min": 256}, 400, "SecurityGroupInvalidIcmpValue"},
				{"icmp code without type", doc{"protocol": "icmp", "port_range_max": 0}, 400, "SecurityGroupMissingIcmpType"},
				{"prefix and remote group", doc{"remote_ip_prefix": "10.0.0.0/8", "remote_group_id": def.ID}, 400, "SecurityGroupMultipleRemoteEntites"},
				{"ethertype conflicts with the prefix", doc{"ethertype": "IPv6", "remote_ip_prefix": "10.0.0.0/8"}, 400, "SecurityGroupRuleParameterConflict"},
				{"unknown protocol", doc{"protocol": "bogus"}, 400, "SecurityGroupRuleInvalidProtocol"},
				{"protocol 256", doc{"protocol": "256"}, 400, "SecurityGroupRuleInvalidProtocol"},
				{"bad direction", doc{"direction": "sideways"}, 400, "HTTPBadRequest"},
				{"bad ethertype", doc{"ethertype": "IPv5"}, 400, "SecurityGroupRuleInvalidEtherType"},
				{"missing group", doc{"security_group_id": missingID}, 404, "SecurityGroupNotFound"},
				{"missing remote group", doc{"remote_group_id": missingID}, 404, "SecurityGroupNotFound"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					body := doc{"security_group_id": sg.ID, "direction": "ingress", "ethertype": "IPv4"}
					for k, v := range tc.body {
						body[k] = v
					}
					wantError(t, rules.Create(ctx(t), c, doc{"security_group_rule": body}).Err, tc.status, tc.typ)
				})
			}
		})

		t.Run("group shows its rules", func(t *testing.T) {
			g, err := groups.Get(ctx(t), c, sg.ID).Extract()
			must(t, err)
			if len(g.Rules) != 11 {
				t.Errorf("group has %d rules, want 2 egress + 9 created", len(g.Rules))
			}
			tcp := listRules(t, c, rules.ListOpts{SecGroupID: sg.ID, Protocol: "tcp"})
			if len(tcp) != 3 {
				t.Errorf("tcp rules = %d, want 3", len(tcp))
			}
		})

		t.Run("delete rule", func(t *testing.T) {
			must(t, rules.Delete(ctx(t), c, ssh.ID).ExtractErr())
			wantError(t, rules.Get(ctx(t), c, ssh.ID).Err, 404, "SecurityGroupRuleNotFound")
			wantError(t, rules.Delete(ctx(t), c, ssh.ID).ExtractErr(), 404, "SecurityGroupRuleNotFound")
		})

		t.Run("update groups", func(t *testing.T) {
			g, err := groups.Update(ctx(t), c, sg.ID, groups.UpdateOpts{Name: "web-2", Description: ptr("renamed")}).Extract()
			must(t, err)
			if g.Name != "web-2" || g.Description != "renamed" {
				t.Errorf("after update: %+v", g)
			}
			wantError(t, groups.Update(ctx(t), c, def.ID, groups.UpdateOpts{Name: "not-default"}).Err, 409, "SecurityGroupCannotUpdateDefault")
			g, err = groups.Update(ctx(t), c, def.ID, groups.UpdateOpts{Description: ptr("still default")}).Extract()
			must(t, err)
			if g.Name != "default" || g.Description != "still default" {
				t.Errorf("default group after a description update: %+v", g)
			}
		})

		t.Run("delete groups", func(t *testing.T) {
			net := createNetwork(t, c, networks.CreateOpts{Name: "sgnet"})
			p := createPort(t, c, ports.CreateOpts{NetworkID: net.ID, SecurityGroups: &[]string{sg.ID}})
			wantErrorMentions(t, groups.Delete(ctx(t), c, sg.ID).ExtractErr(), 409, "SecurityGroupInUse", sg.ID)
			must(t, ports.Delete(ctx(t), c, p.ID).ExtractErr())
			must(t, groups.Delete(ctx(t), c, sg.ID).ExtractErr())
			wantError(t, groups.Get(ctx(t), c, sg.ID).Err, 404, "SecurityGroupNotFound")

			// A project member may not delete its default group; an admin may.
			const memberProject = "it-sg-member"
			m := e.member(memberProject)
			md := defaultGroup(t, m, memberProject)
			wantError(t, groups.Delete(ctx(t), m, md.ID).ExtractErr(), 409, "SecurityGroupCannotRemoveDefault")
			must(t, groups.Delete(ctx(t), c, def.ID).ExtractErr())
			wantError(t, groups.Get(ctx(t), c, def.ID).Err, 404, "SecurityGroupNotFound")
		})
	})
}
