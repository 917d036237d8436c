package integration

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/fwaas_v2/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/fwaas_v2/policies"
	secgroups "github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
)

// TestLoggingResources: the seed's logging-resource API (8.2.4): logging resources (enabled
// false by default, firewall_logs read only), their firewall logs (firewall_id required and
// fixed, fw_event ACCEPT|DROP|ALL, ALL by default), the quota of 10 firewall logs, and the
// cascades: deleting the firewall or the logging resource deletes the logs. SQLite and
// PostgreSQL; another project sees none of it.
func TestLoggingResources(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		c, other := e.member("it-log"), e.member("it-log-b")
		pol, err := policies.Create(ctx(t), c, policies.CreateOpts{Name: "p"}).Extract()
		must(t, err)
		fwg, err := groups.Create(ctx(t), c, groups.CreateOpts{Name: "fw", IngressFirewallPolicyID: pol.ID}).Extract()
		must(t, err)

		out, _, err := raw(t, c, "POST", "logging/logging_resources", doc{"logging_resource": doc{"name": "lr", "description": "all of it"}}, nil, 201)
		must(t, err)
		lr := out["logging_resource"].(map[string]any)
		lrID := lr["id"].(string)
		if lr["enabled"] != false || len(lr["firewall_logs"].([]any)) != 0 || lr["tenant_id"] != "it-log" {
			t.Fatalf("new logging resource %v", lr)
		}
		_, _, err = raw(t, c, "POST", "logging/logging_resources", doc{"logging_resource": doc{"firewall_logs": []any{}}}, nil, 201)
		wantError(t, err, 400, "")
		base := "logging/logging_resources/" + lrID + "/firewall_logs"
		for _, bad := range []doc{{}, {"firewall_id": "not-a-uuid"}, {"firewall_id": fwg.ID, "fw_event": "SOME"}} {
			_, _, err = raw(t, c, "POST", base, doc{"firewall_log": bad}, nil, 201)
			wantError(t, err, 400, "")
		}
		_, _, err = raw(t, c, "POST", base, doc{"firewall_log": doc{"firewall_id": "9d2e8c2b-6a53-4a4e-9f61-1c0d7a3e5b21"}}, nil, 201)
		wantError(t, err, 404, "FirewallNotFound")
		out, _, err = raw(t, c, "POST", base, doc{"firewall_log": doc{"firewall_id": fwg.ID, "description": "d"}}, nil, 201)
		must(t, err)
		fl := out["firewall_log"].(map[string]any)
		if fl["fw_event"] != "ALL" || fl["logging_resource_id"] != lrID || fl["firewall_id"] != fwg.ID {
			t.Fatalf("new firewall log %v", fl)
		}
		flPath := base + "/" + fl["id"].(string)
		_, _, err = raw(t, c, "PUT", flPath, doc{"firewall_log": doc{"firewall_id": fwg.ID}}, nil, 200)
		wantError(t, err, 400, "")
		out, _, err = raw(t, c, "PUT", flPath, doc{"firewall_log": doc{"fw_event": "DROP"}}, nil, 200)
		must(t, err)
		if out["firewall_log"].(map[string]any)["fw_event"] != "DROP" {
			t.Errorf("after update %v", out)
		}
		got := get(t, c, "logging/logging_resources/"+lrID)["logging_resource"].(map[string]any)
		if l := got["firewall_logs"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != fl["id"] {
			t.Errorf("firewall_logs of the resource %v", got["firewall_logs"])
		}
		out, _, err = raw(t, c, "PUT", "logging/logging_resources/"+lrID, doc{"logging_resource": doc{"enabled": true}}, nil, 200)
		must(t, err)
		if out["logging_resource"].(map[string]any)["enabled"] != true {
			t.Errorf("enable: %v", out)
		}
		// Another project: 404 for the resource, its logs, and logging its firewall.
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			var body any
			if m == "PUT" {
				body = doc{"logging_resource": doc{"name": "x"}}
			}
			if _, status, _ := raw(t, other, m, "logging/logging_resources/"+lrID, body, nil, 200, 204); status != http.StatusNotFound {
				t.Errorf("B %s logging resource: %d", m, status)
			}
			if m == "PUT" {
				body = doc{"firewall_log": doc{"fw_event": "ALL"}}
			}
			if _, status, _ := raw(t, other, m, flPath, body, nil, 200, 204); status != http.StatusNotFound {
				t.Errorf("B %s firewall log: %d", m, status)
			}
		}
		out, _, err = raw(t, other, "POST", "logging/logging_resources", doc{"logging_resource": doc{"name": "b"}}, nil, 201)
		must(t, err)
		_, _, err = raw(t, other, "POST", "logging/logging_resources/"+out["logging_resource"].(map[string]any)["id"].(string)+"/firewall_logs",
			doc{"firewall_log": doc{"firewall_id": fwg.ID}}, nil, 201)
		wantError(t, err, 404, "FirewallNotFound")
		// Quota: 10 firewall logs.
		for i := 1; i < 10; i++ {
			_, _, err = raw(t, c, "POST", base, doc{"firewall_log": doc{"firewall_id": fwg.ID}}, nil, 201)
			must(t, err)
		}
		_, _, err = raw(t, c, "POST", base, doc{"firewall_log": doc{"firewall_id": fwg.ID}}, nil, 201)
		wantError(t, err, 409, "OverQuota")
		// Deleting the firewall group deletes its logs.
		must(t, groups.Delete(ctx(t), c, fwg.ID).ExtractErr())
		if _, status, _ := raw(t, c, "GET", flPath, nil, nil, 200); status != http.StatusNotFound {
			t.Errorf("firewall log after its firewall went: %d", status)
		}
		_, _, err = raw(t, c, "DELETE", "logging/logging_resources/"+lrID, nil, nil, 204)
		must(t, err)
	})
}

// TestNeutronLogs: Neutron's logging API for security groups: admin only, resource_type
// security_group (others 400), unknown groups 404, loggable resources, and a log deleted with
// its security group.
func TestNeutronLogs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		admin, member := e.admin("it-nlog"), e.member("it-nlog")
		sg, err := secgroups.Create(ctx(t), admin, secgroups.CreateOpts{Name: "logged"}).Extract()
		must(t, err)
		types := get(t, admin, "log/loggable-resources")["loggable_resources"].([]any)
		if len(types) != 1 || types[0].(map[string]any)["type"] != "security_group" {
			t.Errorf("loggable resources %v", types)
		}
		out, _, err := raw(t, admin, "POST", "log/logs", doc{"log": doc{"name": "l", "resource_type": "security_group", "resource_id": sg.ID, "event": "DROP", "description": "d"}}, nil, 201)
		must(t, err)
		l := out["log"].(map[string]any)
		if l["enabled"] != true || l["event"] != "DROP" || l["resource_id"] != sg.ID || l["target_id"] != nil || l["project_id"] != "it-nlog" {
			t.Fatalf("new log %v", l)
		}
		for _, bad := range []struct {
			body   doc
			status int
			typ    string
		}{
			{doc{"resource_type": "firewall"}, 400, "InvalidLogResourceType"},
			{doc{"resource_type": "security_group", "resource_id": "3f0d51a4-7d9d-4c87-9d3a-0f1b7e2c5a19"}, 404, "ResourceNotFound"},
			{doc{"resource_type": "security_group", "target_id": "3f0d51a4-7d9d-4c87-9d3a-0f1b7e2c5a19"}, 404, "TargetResourceNotFound"},
			{doc{"resource_type": "security_group", "event": "SOME"}, 400, ""},
			{doc{}, 400, ""},
		} {
			_, _, err = raw(t, admin, "POST", "log/logs", doc{"log": bad.body}, nil, 201)
			wantError(t, err, bad.status, bad.typ)
		}
		_, _, err = raw(t, member, "POST", "log/logs", doc{"log": doc{"resource_type": "security_group"}}, nil, 201)
		wantError(t, err, 403, "")
		if _, status, _ := raw(t, member, "GET", "log/logs/"+l["id"].(string), nil, nil, 200); status != http.StatusNotFound {
			t.Errorf("member GET of a log: %d, want 404", status)
		}
		out, _, err = raw(t, admin, "PUT", "log/logs/"+l["id"].(string), doc{"log": doc{"enabled": false}}, nil, 200)
		must(t, err)
		if out["log"].(map[string]any)["enabled"] != false {
			t.Errorf("disable: %v", out)
		}
		_, _, err = raw(t, admin, "PUT", "log/logs/"+l["id"].(string), doc{"log": doc{"resource_id": nil}}, nil, 200)
		wantError(t, err, 400, "")
		must(t, secgroups.Delete(ctx(t), admin, sg.ID).ExtractErr())
		if _, status, _ := raw(t, admin, "GET", "log/logs/"+l["id"].(string), nil, nil, 200); status != http.StatusNotFound {
			t.Errorf("log after its security group went: %d, want 404", status)
		}
	})
}
