package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// LoadFile reads an oslo.policy file, YAML or JSON, and returns rule name ->
// rule string. A file whose first character is '{' is read as JSON first
// (JSON policy files in the wild repeat keys, which YAML refuses; the last
// one wins, as in Python), and as YAML if that fails. An empty file has no
// rules. The legacy list-of-lists rule form is not supported.
func LoadFile(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	raw := map[string]any{}
	switch {
	case len(trimmed) == 0:
	case trimmed[0] == '{' && json.Unmarshal(trimmed, &raw) == nil:
	default:
		raw = map[string]any{}
		if err := yaml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("policy: %s: %w", path, err)
		}
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("policy: %s: rule %q: want a string, got %T", path, name, v)
		}
		out[name] = s
	}
	return out, nil
}
