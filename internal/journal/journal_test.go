package journal

import "testing"

func TestScrubDropsSecretsAtAnyDepth(t *testing.T) {
	in := map[string]any{
		"name": "peer", "password": "s3cret", "auth_key": "k",
		"ipsec": map[string]any{"psk": "shared", "mtu": 1500},
	}
	out := scrub(in)
	if _, ok := out["password"]; ok {
		t.Error("password kept")
	}
	if _, ok := out["auth_key"]; ok {
		t.Error("auth_key kept")
	}
	inner := out["ipsec"].(map[string]any)
	if _, ok := inner["psk"]; ok {
		t.Error("nested psk kept")
	}
	if out["name"] != "peer" || inner["mtu"] != 1500 {
		t.Errorf("non-secret values lost: %v", out)
	}
	if _, ok := in["password"]; !ok {
		t.Error("scrub modified its input")
	}
}
