package translate

import (
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/model"
)

// A VM port as the API stores it (json.Marshal's form, keys sorted).
const storedPort = `{"admin_state_up":true,"allowed_address_pairs":[{"ip_address":"10.0.0.50","mac_address":"fa:16:3e:00:00:99"},{"ip_address":"10.0.0.0/28"}],` +
	`"binding:host_id":"compute-1","binding:profile":{},"binding:vif_details":{"port_filter":true,"ovs_hybrid_plug":false},"binding:vif_type":"midonet",` +
	`"binding:vnic_type":"normal","created_at":"2026-12-07T12:00:00Z","description":"","device_id":"vm-1","device_owner":"compute:nova",` +
	`"dns_assignment":[{"fqdn":"host-10-0-0-5.openstacklocal.","hostname":"host-10-0-0-5","ip_address":"10.0.0.5"}],"dns_name":"",` +
	`"extra_dhcp_opts":[{"ip_version":4,"opt_name":"tftp-server","opt_value":"10.0.0.9"}],` +
	`"fixed_ips":[{"ip_address":"10.0.0.5","subnet_id":"sub-a"},{"ip_address":"2001:db8::5","subnet_id":"sub-6"}],"id":"p1",` +
	`"mac_address":"fa:16:3e:00:00:01","name":"vm port ünï","network_id":"net-a","port_security_enabled":false,"project_id":"t1",` +
	`"propagate_uplink_status":false,"qos_policy_id":null,"revision_number":7,"security_groups":["sg-1","sg-2"],"status":"ACTIVE",` +
	`"tags":["x","y"],"tenant_id":"t1","updated_at":"2026-12-07T12:00:01Z"}`

// TestDecodePortIsUnmarshals: the scanner gives json.Unmarshal's port for stored ports and
// for documents it leaves to json.Unmarshal; it reads the stored forms itself.
func TestDecodePortIsUnmarshals(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		scanned   bool // read by the scanner, not left to json.Unmarshal
	}{
		{"stored VM port", storedPort, true},
		{"minimal", `{"id":"p","network_id":"n"}`, true},
		{"spaces", " {\n \"id\" : \"p\" , \"tags\" : [ \"a\" , null ] , \"fixed_ips\" : [ null , { } ] } \n", true},
		{"nulls keep defaults", `{"admin_state_up":null,"port_security_enabled":null,"name":null,"tags":null,"revision_number":null,"binding:profile":null}`, true},
		{"empty lists", `{"tags":[],"security_groups":[],"fixed_ips":[],"extra_dhcp_opts":[]}`, true},
		{"a profile", `{"binding:profile":{"local_link_information":[{"switch_id":"s","port_id":"eth0"}],"n":1.5}}`, true},
		{"negative revision", `{"revision_number":-3}`, true},
		{"unknown nested values", `{"x":{"a":[1,-0.5e+3,true,false,null,{"b":"c"}]},"y":[]}`, true},
		{"escape in a name", `{"id":"p","name":"a \"quoted\" \u003cname\u003e"}`, false},
		{"escape in an unknown value", `{"id":"p","dns_name":"a\\b"}`, false},
		{"repeated attribute", `{"fixed_ips":[{"subnet_id":"a","ip_address":"10.0.0.1"}],"fixed_ips":[{"subnet_id":"b"}]}`, false},
		{"key in another case", `{"ID":"p","Name":"n"}`, false},
		{"key with the Kelvin sign", "{\"\u212aey\":\"v\",\"id\":\"p\"}", false},
		{"revision as a float", `{"revision_number":7.0,"id":"p"}`, false},
		{"revision too big", `{"revision_number":99999999999999999999}`, false},
		{"wrong type", `{"admin_state_up":"yes","id":"p"}`, false},
		{"invalid UTF-8", "{\"name\":\"a\xffb\"}", false},
		{"control character", "{\"name\":\"a\tb\"}", false},
		{"trailing bytes", `{"id":"p"} x`, false},
		{"syntax error", `{"id":"p",}`, false},
		{"leading zero", `{"revision_number":01}`, false},
		{"not an object", `null`, false},
		{"empty", ``, false},
		{"truncated", `{"id":"p","tags":["a"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.doc)
			if got, want := decodePort(raw), unmarshalPort(raw); !reflect.DeepEqual(got, want) {
				t.Errorf("decodePort =\n %+v\nwant\n %+v", got, want)
			}
			var p model.Port
			sc := portScanner{s: tc.doc}
			if ok := sc.port(&p); ok != tc.scanned {
				t.Errorf("scanned %v, want %v", ok, tc.scanned)
			}
		})
	}
}

// FuzzDecodePort: whatever the bytes, decodePort gives json.Unmarshal's port.
func FuzzDecodePort(f *testing.F) {
	for _, s := range []string{storedPort, `{"id":"p","fixed_ips":[{"subnet_id":"s","ip_address":"10.0.0.1"}]}`,
		`{"binding:profile":{"a":[1,2]},"extra_dhcp_opts":[{"ip_version":6}]}`, `{"ID":1}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := decodePort(raw), unmarshalPort(raw); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decodePort =\n %+v\nwant\n %+v", raw, got, want)
		}
	})
}

func BenchmarkDecodePort(b *testing.B) {
	raw := []byte(storedPort)
	for _, bc := range []struct {
		name   string
		decode func([]byte) *model.Port
	}{{"scanner", decodePort}, {"unmarshal", unmarshalPort}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if bc.decode(raw).ID != "p1" {
					b.Fatal("wrong port")
				}
			}
		})
	}
}
