package topology

import "testing"

func TestUUIDBytes(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"11111111-2222-4333-8444-555555555555", true},
		{"0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3", true},
		{"0A1B2C3D-4E5F-4A6B-8C7D-8E9FA0B1C2D3", false}, // would not come back as it was
		{"0a1b2c3d4e5f4a6b8c7d8e9fa0b1c2d3", false},
		{"{0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d}", false},
		{"0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2dg", false},
		{"router-1", false},
		{"", false},
	}
	for _, tt := range tests {
		u, ok := UUIDBytes(tt.id)
		if ok != tt.ok {
			t.Errorf("UUIDBytes(%q) ok = %v, want %v", tt.id, ok, tt.ok)
			continue
		}
		if ok && UUIDString(u) != tt.id {
			t.Errorf("UUIDString(UUIDBytes(%q)) = %q", tt.id, UUIDString(u))
		}
	}
}
