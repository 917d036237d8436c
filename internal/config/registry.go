package config

import (
	"fmt"
	"sort"
	"strings"
)

// Type is the kind of value an option holds.
type Type int

// The option types. List values are comma separated.
const (
	String Type = iota
	Int
	Bool
	List
	Float
)

func (t Type) String() string {
	switch t {
	case String:
		return "string"
	case Int:
		return "integer"
	case Bool:
		return "boolean"
	case List:
		return "list"
	case Float:
		return "float"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// DefaultGroup is the name of the [DEFAULT] section.
const DefaultGroup = "DEFAULT"

// Option describes one known configuration option.
type Option struct {
	Group   string // "DEFAULT" or a lower-case group name
	Name    string
	Type    Type
	Default string // raw text, parsed like a file value; "" means unset
	Help    string
	Secret  bool // never printed (passwords, connection strings)
}

// Registry holds the known options. It is not safe for concurrent Register
// calls; fill it before loading files.
type Registry struct {
	opts map[key]Option
}

// key identifies an option: a normalised group and the option name.
type key struct{ group, name string }

func (k key) String() string { return "[" + k.group + "] " + k.name }

// normGroup maps a section name to its canonical form: group names match
// case-insensitively, and every spelling of "default" is [DEFAULT].
func normGroup(g string) string {
	g = strings.ToLower(strings.TrimSpace(g))
	if g == "default" {
		return DefaultGroup
	}
	return g
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{opts: make(map[key]Option)}
}

// Register adds options. The group is normalised; a duplicate option or a
// default that does not parse for its type is an error.
func (r *Registry) Register(opts ...Option) error {
	for _, o := range opts {
		o.Group = normGroup(o.Group)
		k := key{o.Group, o.Name}
		if o.Name == "" {
			return fmt.Errorf("config: register option in [%s]: empty name", o.Group)
		}
		if _, dup := r.opts[k]; dup {
			return fmt.Errorf("config: register %s: already registered", k)
		}
		if _, err := parseValue(o.Type, o.Default); err != nil {
			return fmt.Errorf("config: register %s: bad default: %w", k, err)
		}
		r.opts[k] = o
	}
	return nil
}

// Lookup returns the option registered under group and name.
func (r *Registry) Lookup(group, name string) (Option, bool) {
	o, ok := r.opts[key{normGroup(group), name}]
	return o, ok
}

// Options returns every registered option, sorted by group then name, with
// [DEFAULT] first.
func (r *Registry) Options() []Option {
	out := make([]Option, 0, len(r.opts))
	for _, o := range r.opts {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		gi, gj := out[i].Group, out[j].Group
		if gi != gj {
			if gi == DefaultGroup || gj == DefaultGroup {
				return gi == DefaultGroup
			}
			return gi < gj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Groups returns the groups the registry knows, sorted, [DEFAULT] first.
func (r *Registry) Groups() []string {
	seen := map[string]bool{}
	var out []string
	for k := range r.opts {
		if !seen[k.group] {
			seen[k.group] = true
			out = append(out, k.group)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i] == DefaultGroup || out[j] == DefaultGroup {
			return out[i] == DefaultGroup
		}
		return out[i] < out[j]
	})
	return out
}
