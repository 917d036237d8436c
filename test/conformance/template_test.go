package conformance

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestCapturesExpand(t *testing.T) {
	c := NewCaptures()
	c.Set("net", "n-1")
	c.Set("rev", json.Number("3"))
	c.Set("flag", true)
	tests := []struct {
		in, want string
		missing  []string
	}{
		{"/v2.0/networks/{{net}}", "/v2.0/networks/n-1", nil},
		{"revision_number={{rev}}", "revision_number=3", nil},
		{"{{net}}/{{flag}}", "n-1/true", nil},
		{"/v2.0/ports/{{nope}}", "/v2.0/ports/{{nope}}", []string{"nope"}},
		{"no template", "no template", nil},
	}
	for _, tc := range tests {
		got, missing := c.Expand(tc.in)
		if got != tc.want || !reflect.DeepEqual(missing, tc.missing) {
			t.Errorf("Expand(%q) = %q, %v; want %q, %v", tc.in, got, missing, tc.want, tc.missing)
		}
	}
}

func TestCapturesExpandJSON(t *testing.T) {
	c := NewCaptures()
	c.Set("net", "n-1")
	c.Set("rev", json.Number("3"))
	c.Set("ips", []any{"10.0.0.1"})
	tests := []struct {
		name, in, want string
		missing        []string
	}{
		{"whole string keeps the type", `{"a": "{{rev}}", "b": "{{ips}}"}`, `{"a": 3, "b": ["10.0.0.1"]}`, nil},
		{"textual elsewhere", `{"a": "net {{net}} rev {{rev}}"}`, `{"a": "net n-1 rev 3"}`, nil},
		{"nested lists", `{"l": [{"id": "{{net}}"}]}`, `{"l": [{"id": "n-1"}]}`, nil},
		{"unresolved left as written", `{"a": "{{gone}}"}`, `{"a": "{{gone}}"}`, []string{"gone"}},
		{"keys untouched", `{"{{net}}": 1}`, `{"{{net}}": 1}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, missing := c.ExpandJSON(mustJSON(t, tc.in))
			if !reflect.DeepEqual(got, mustJSON(t, tc.want)) || !reflect.DeepEqual(missing, tc.missing) {
				t.Errorf("ExpandJSON = %s, %v; want %s, %v", canonical(got), missing, tc.want, tc.missing)
			}
		})
	}
}

func TestLookupPath(t *testing.T) {
	body := map[string]any{"port": map[string]any{
		"id":        "p",
		"fixed_ips": []any{map[string]any{"ip_address": "10.0.0.3"}},
	}}
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"port.id", "p", true},
		{"port.fixed_ips.0.ip_address", "10.0.0.3", true},
		{"port.fixed_ips.1.ip_address", nil, false},
		{"port.fixed_ips.x", nil, false},
		{"network.id", nil, false},
	}
	for _, tc := range tests {
		got, ok := lookupPath(body, tc.path)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("lookupPath(%q) = %v, %v; want %v, %v", tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestCaptureSpecOrder(t *testing.T) {
	var c CaptureSpec
	if err := json.Unmarshal([]byte(`{"p1": "port.id", "p1ip": "port.fixed_ips.0.ip_address", "a": "x"}`), &c); err != nil {
		t.Fatal(err)
	}
	want := CaptureSpec{{"p1", "port.id"}, {"p1ip", "port.fixed_ips.0.ip_address"}, {"a", "x"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %v, want %v", c, want)
	}
	out, _ := json.Marshal(c)
	if string(out) != `{"p1":"port.id","p1ip":"port.fixed_ips.0.ip_address","a":"x"}` {
		t.Errorf("MarshalJSON = %s", out)
	}
}

func TestLiterals(t *testing.T) {
	l := NewLiterals()
	l.AddRequest("/v2.0/ports?fixed_ips=ip_address%3D10.20.0.151&ip_address=10.1.1.1", mustJSON(t,
		`{"port": {"fixed_ips": [{"ip_address": "10.20.0.150"}, {"ip_address": "{{p1ip}}"}],
		  "mac_address": "FA:16:3E:00:00:AB", "provider:segmentation_id": 150,
		  "allowed_address_pairs": [{"ip_address": "10.30.0.0/24"}]}}`), nil)
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"body ip", l.IsIP("10.20.0.150"), true},
		{"fixed_ips query ip", l.IsIP("10.20.0.151"), true},
		{"ip_address query", l.IsIP("10.1.1.1"), true},
		{"other ip", l.IsIP("10.20.0.152"), false},
		{"template is not literal", l.IsIP("{{p1ip}}"), false},
		{"mac any case", l.IsMAC("fa:16:3e:00:00:ab"), true},
		{"other mac", l.IsMAC("fa:16:3e:00:00:ac"), false},
		{"segmentation id", l.IsSegID(json.Number("150")), true},
		{"other segmentation id", l.IsSegID(json.Number("151")), false},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
