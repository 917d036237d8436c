package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Step is one request of a scenario, as written in scenarios/*.json.
type Step struct {
	Name       string            `json:"name"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       any               `json:"body,omitempty"`     // decoded with json.Number; nil when absent
	RawBody    *string           `json:"raw_body,omitempty"` // sent byte for byte
	Capture    CaptureSpec       `json:"capture,omitempty"`
	Expect     json.RawMessage   `json:"expect,omitempty"`
	Deployment string            `json:"deployment,omitempty"`
}

// Scenario is a request sequence, scenarios/<name>.json.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Steps       []Step `json:"steps"`
}

// GoldenRequest repeats a step's request with its templates unresolved.
type GoldenRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
	RawBody *string           `json:"raw_body,omitempty"`
}

// GoldenStep is the recorded, normalised answer to one step.
type GoldenStep struct {
	Name       string              `json:"name"`
	Request    GoldenRequest       `json:"request"`
	Status     int                 `json:"status"`
	Headers    map[string]string   `json:"headers,omitempty"`
	Body       any                 `json:"body"`
	BodyText   *string             `json:"body_text,omitempty"`
	Keys       map[string][]string `json:"keys,omitempty"`
	Captures   CaptureSpec         `json:"captures,omitempty"`
	ErrorType  string              `json:"error_type,omitempty"`
	Deployment string              `json:"deployment,omitempty"`
}

// Golden is golden/<name>.json.
type Golden struct {
	Scenario    string       `json:"scenario"`
	Description string       `json:"description"`
	Source      string       `json:"source"`
	Steps       []GoldenStep `json:"steps"`
}

// NamedPath is one capture: a name and a dotted path into a response body.
type NamedPath struct {
	Name string
	Path string
}

// CaptureSpec is a step's "capture" object with its order kept: when two
// captures hold the same value the first captured wins, so order matters.
type CaptureSpec []NamedPath

// UnmarshalJSON reads a JSON object of name: path, keeping the key order.
func (c *CaptureSpec) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*c = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("capture: want a JSON object")
	}
	var out CaptureSpec
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		var path string
		if err := dec.Decode(&path); err != nil {
			return fmt.Errorf("capture %s: %w", name, err)
		}
		out = append(out, NamedPath{Name: name, Path: path})
	}
	*c = out
	return nil
}

// MarshalJSON writes the capture object in its order.
func (c CaptureSpec) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, np := range c {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(np.Name)
		v, _ := json.Marshal(np.Path)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// decodeJSON decodes data into v with numbers kept as json.Number, so
// integers stay exact and compare by value.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// LoadScenario reads dir/scenarios/<name>.json.
func LoadScenario(dir, name string) (*Scenario, error) {
	var s Scenario
	if err := loadFile(filepath.Join(dir, "scenarios", name+".json"), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// LoadGolden reads dir/golden/<name>.json.
func LoadGolden(dir, name string) (*Golden, error) {
	var g Golden
	if err := loadFile(filepath.Join(dir, "golden", name+".json"), &g); err != nil {
		return nil, err
	}
	return &g, nil
}

func loadFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("conformance: %w", err)
	}
	if err := decodeJSON(data, v); err != nil {
		return fmt.Errorf("conformance: %s: %w", path, err)
	}
	return nil
}

// ScenarioNames lists the scenarios in dir/scenarios, sorted.
func ScenarioNames(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "scenarios", "*.json"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range matches {
		names = append(names, trimExt(filepath.Base(m)))
	}
	return names, nil
}

func trimExt(s string) string { return s[:len(s)-len(filepath.Ext(s))] }

// checkPair verifies that a golden file belongs to its scenario step by step.
func checkPair(s *Scenario, g *Golden) error {
	if g.Scenario != s.Name {
		return fmt.Errorf("conformance: golden file is for %q, scenario is %q", g.Scenario, s.Name)
	}
	if len(g.Steps) != len(s.Steps) {
		return fmt.Errorf("conformance: %s: %d scenario steps, %d golden steps", s.Name, len(s.Steps), len(g.Steps))
	}
	for i := range s.Steps {
		if s.Steps[i].Name != g.Steps[i].Name {
			return fmt.Errorf("conformance: %s step %d: scenario %q, golden %q", s.Name, i, s.Steps[i].Name, g.Steps[i].Name)
		}
	}
	return nil
}
