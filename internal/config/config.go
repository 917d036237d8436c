// Package config reads neutron.conf-style INI files (the oslo.config dialect)
// against a registry of known options with types, defaults and help.
//
// Several files merge in order, later ones overriding earlier ones, as with
// repeated --config-file flags. Group names match case-insensitively, so
// [MIDONET] and [midonet] are one group; option names match exactly. Options
// or groups nobody registered are reported by Config.Unknown, not rejected, so
// a neutron.conf written for the Python server loads. A value that does not
// parse for its option's type is an error naming the file, group and option.
package config

import (
	"fmt"
	"os"
	"sync"
)

// Config is the merged view of the loaded files over the registry's defaults.
// It is safe for concurrent use.
type Config struct {
	reg *Registry

	mu      sync.RWMutex
	values  map[key]setting
	unknown []string
	read    sync.Map // key → true: options the program asked for
}

// setting is a value that a file or Set gave an option.
type setting struct {
	raw    string
	parsed any
	source string // file path, or "override"
}

// Load reads the files in order; a value in a later file overrides the same
// option in an earlier one. A missing or unreadable file, a syntax error or a
// value that does not parse for its type is an error.
func Load(r *Registry, files ...string) (*Config, error) {
	c := New(r)
	for _, path := range files {
		if err := c.loadFile(path); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// New returns a Config with every option at its default.
func New(r *Registry) *Config {
	return &Config{reg: r, values: make(map[key]setting)}
}

func (c *Config) loadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	assigns, err := parseINI(f)
	if err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range assigns {
		k := key{normGroup(a.section), a.name}
		opt, ok := c.reg.opts[k]
		if !ok {
			c.unknown = append(c.unknown, fmt.Sprintf("[%s] %s in %s", a.section, a.name, path))
			continue
		}
		v, err := parseValue(opt.Type, a.value)
		if err != nil {
			return fmt.Errorf("config: %s line %d: [%s] %s: %w", path, a.line, opt.Group, opt.Name, err)
		}
		c.values[k] = setting{raw: a.value, parsed: v, source: path}
	}
	return nil
}

// Set overrides an option, as a command-line flag or a test would. The value
// is parsed like a file value; an unregistered option is an error.
func (c *Config) Set(group, name, value string) error {
	k := key{normGroup(group), name}
	opt, ok := c.reg.opts[k]
	if !ok {
		return fmt.Errorf("config: set %s: no such option", k)
	}
	v, err := parseValue(opt.Type, value)
	if err != nil {
		return fmt.Errorf("config: set %s: %w", k, err)
	}
	c.mu.Lock()
	c.values[k] = setting{raw: value, parsed: v, source: "override"}
	c.mu.Unlock()
	return nil
}

// Unknown lists the assignments that matched no registered option, like
// "[foo] bar in /etc/neutron/neutron.conf", in file order.
func (c *Config) Unknown() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]string(nil), c.unknown...)
}

// IsSet reports whether a file or Set gave the option a value.
func (c *Config) IsSet(group, name string) bool {
	k, _ := c.option(group, name)
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.values[k]
	return ok
}

// Source names where the option's value came from: a file path, "override"
// for Set, or "default".
func (c *Config) Source(group, name string) string {
	k, _ := c.option(group, name)
	c.mu.RLock()
	defer c.mu.RUnlock()
	if s, ok := c.values[k]; ok {
		return s.source
	}
	return "default"
}

// String returns a String option's value (raw text for any other type).
func (c *Config) String(group, name string) string {
	k, opt := c.option(group, name)
	c.mu.RLock()
	defer c.mu.RUnlock()
	if s, ok := c.values[k]; ok {
		return s.raw
	}
	return opt.Default
}

// Int returns an Int option's value; 0 when unset with no default.
func (c *Config) Int(group, name string) int { return get[int](c, group, name, Int) }

// Bool returns a Bool option's value.
func (c *Config) Bool(group, name string) bool { return get[bool](c, group, name, Bool) }

// Float returns a Float option's value.
func (c *Config) Float(group, name string) float64 { return get[float64](c, group, name, Float) }

// List returns a List option's items, trimmed, with empty items dropped. The
// result is never nil and belongs to the caller.
func (c *Config) List(group, name string) []string {
	return append([]string{}, get[[]string](c, group, name, List)...)
}

// Values lists every option as "[group] name = value" in registry order,
// with secrets shown as "****", for logging the effective configuration.
func (c *Config) Values() []string {
	opts := c.reg.Options()
	out := make([]string, 0, len(opts))
	for _, o := range opts {
		v := c.String(o.Group, o.Name)
		if o.Secret && v != "" {
			v = "****"
		}
		out = append(out, fmt.Sprintf("[%s] %s = %s", o.Group, o.Name, v))
	}
	return out
}

// option finds a registered option; asking for one that is not registered is
// a programming error and panics.
func (c *Config) option(group, name string) (key, Option) {
	k := key{normGroup(group), name}
	opt, ok := c.reg.opts[k]
	if !ok {
		panic(fmt.Sprintf("config: option %s is not registered", k))
	}
	if _, seen := c.read.Load(k); !seen {
		c.read.Store(k, true)
	}
	return k, opt
}

// Unread lists the registered options nothing has asked this Config for yet, as
// "[group] name", in registry order: after a server started, an option listed here is one it
// declares but does not honour.
func (c *Config) Unread() []string {
	var out []string
	for _, o := range c.reg.Options() {
		if _, seen := c.read.Load(key{o.Group, o.Name}); !seen {
			out = append(out, key{o.Group, o.Name}.String())
		}
	}
	return out
}

// get returns a typed option value; asking with the wrong type panics.
func get[T any](c *Config, group, name string, want Type) T {
	k, opt := c.option(group, name)
	if opt.Type != want {
		panic(fmt.Sprintf("config: option %s is a %v, not a %v", k, opt.Type, want))
	}
	c.mu.RLock()
	s, ok := c.values[k]
	c.mu.RUnlock()
	if ok {
		return s.parsed.(T)
	}
	v, err := parseValue(opt.Type, opt.Default) // checked by Register
	if err != nil {
		panic(fmt.Sprintf("config: option %s: %v", k, err))
	}
	return v.(T)
}
