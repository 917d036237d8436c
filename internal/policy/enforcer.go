package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Credentials of the caller.
type Credentials struct {
	UserID    string
	ProjectID string   // also matched as tenant_id / project_id
	Roles     []string // lower-case role names
	IsAdmin   bool     // convenience; role admin implies it
}

// normalized makes IsAdmin and the admin role imply each other, as
// neutron-lib's request context does.
func (c Credentials) normalized() Credentials {
	hasAdmin := slices.ContainsFunc(c.Roles, func(r string) bool { return strings.EqualFold(r, "admin") })
	switch {
	case hasAdmin:
		c.IsAdmin = true
	case c.IsAdmin:
		c.Roles = append(slices.Clip(c.Roles), "admin")
	}
	return c
}

// Enforcer evaluates actions against rules. It is immutable once built and
// safe for concurrent use.
type Enforcer struct {
	rules map[string]Check
}

// New builds an enforcer from Neutron's default rules and the services' (extra)
// overlaid with overrides (rule name -> rule string). Returns an error naming the
// rule that fails to parse, or the first rule found on a rule:NAME cycle.
func New(overrides map[string]string, extra ...[]Rule) (*Enforcer, error) {
	src := make(map[string]string)
	for _, r := range Defaults(extra...) {
		src[r.Name] = r.Check
	}
	for name, rule := range overrides {
		if name == "" {
			return nil, fmt.Errorf("policy: rule with an empty name")
		}
		src[name] = rule
	}
	names := make([]string, 0, len(src))
	for name := range src {
		names = append(names, name)
	}
	slices.Sort(names)

	e := &Enforcer{rules: make(map[string]Check, len(src))}
	for _, name := range names {
		c, err := Parse(src[name])
		if err != nil {
			return nil, fmt.Errorf("policy: rule %q: %w", name, err)
		}
		e.rules[name] = c
	}
	if err := e.checkCycles(names); err != nil {
		return nil, err
	}
	return e, nil
}

// Has reports whether a rule of that exact name is defined (defaults or
// overrides).
func (e *Enforcer) Has(name string) bool {
	_, ok := e.rules[name]
	return ok
}

// Enforce evaluates rule action for the target. A missing action falls back
// to the "default" rule, as oslo.policy does; with no "default" either, the
// answer is no.
//
// target holds the resource's attributes (e.g. "tenant_id", "project_id",
// "shared", "router:external", "network_id") plus parent attributes
// flattened with a prefix, e.g. "network:tenant_id", "network:shared",
// "network:router:external". target["_collection"] names the collection
// being acted on, e.g. "networks", "ports". tenant_id and project_id are
// interchangeable in the target.
func (e *Enforcer) Enforce(action string, target map[string]any, creds Credentials) bool {
	return e.EnforceTarget(action, MapTarget(target), creds)
}

// Target is what a rule reads of the resource it is checked against: Enforce's map, or a
// view that reads it from elsewhere (the API's lists read a shared, read-only document and
// its parent without building a map per document). Lookup reports whether key is there.
type Target interface {
	Lookup(key string) (any, bool)
}

// MapTarget is a target held in a map.
type MapTarget map[string]any

// Lookup reads key from the map.
func (m MapTarget) Lookup(key string) (any, bool) {
	v, ok := m[key]
	return v, ok
}

// EnforceTarget is Enforce with the target read through t.
func (e *Enforcer) EnforceTarget(action string, t Target, creds Credentials) bool {
	c, ok := e.rule(action)
	if !ok {
		return false
	}
	ev := &evaluation{rules: e.rules, target: t, creds: creds.normalized()}
	return c.eval(ev)
}

// Decide evaluates rule action for creds without a target and reports whether the answer
// holds for every target. Each check that reads nothing of the target is decided; one that
// reads something is unknown; "or" is decided by any true branch (an admin's get_port:
// rule:context_is_admin passes whatever the owner checks would say), "and" by any false one.
// When decided is false, allowed means nothing and the rule must be enforced per target.
func (e *Enforcer) Decide(action string, creds Credentials) (allowed, decided bool) {
	c, ok := e.rule(action)
	if !ok {
		return false, true
	}
	ev, p := e.probing(creds)
	v := decide(c, ev, p)
	return v == yes, v != unknown
}

// rule is the rule of action, or the "default" rule when action has none, as oslo.policy
// falls back; false when neither exists (the answer is then no).
func (e *Enforcer) rule(action string) (Check, bool) {
	if c, ok := e.rules[action]; ok {
		return c, true
	}
	c, ok := e.rules["default"]
	return c, ok
}

// probing is an evaluation of creds against a target that records whether it was read.
func (e *Enforcer) probing(creds Credentials) (*evaluation, *probe) {
	p := &probe{}
	return &evaluation{rules: e.rules, target: p, creds: creds.normalized()}, p
}

// tri is a check's answer without a target.
type tri int8

const (
	no tri = iota
	yes
	unknown
)

func decide(c Check, ev *evaluation, p *probe) tri {
	switch t := c.(type) {
	case notCheck:
		switch decide(t.c, ev, p) {
		case yes:
			return no
		case no:
			return yes
		}
		return unknown
	case andCheck:
		out := yes
		for _, x := range t {
			switch decide(x, ev, p) {
			case no:
				return no
			case unknown:
				out = unknown
			}
		}
		return out
	case orCheck:
		out := no
		for _, x := range t {
			switch decide(x, ev, p) {
			case yes:
				return yes
			case unknown:
				out = unknown
			}
		}
		return out
	case ruleCheck:
		r, ok := ev.rules[string(t)]
		if !ok || ev.depth >= maxDepth {
			return no // as eval: an undefined rule fails closed
		}
		ev.depth++
		defer func() { ev.depth-- }()
		return decide(r, ev, p)
	}
	p.read = false
	v := c.eval(ev)
	switch {
	case p.read:
		return unknown
	case v:
		return yes
	}
	return no
}

// probe is an empty target that records whether anything was read of it.
type probe struct{ read bool }

func (p *probe) Lookup(string) (any, bool) {
	p.read = true
	return nil, false
}

// checkCycles rejects rules that reach themselves through rule:NAME, which
// oslo.policy also refuses to load.
func (e *Enforcer) checkCycles(names []string) error {
	const (
		unseen = iota
		active
		done
	)
	state := make(map[string]int, len(e.rules))
	var stack []string
	var visit func(name string) error
	visit = func(name string) error {
		c, ok := e.rules[name]
		if !ok {
			return nil // undefined references fail closed at run time
		}
		switch state[name] {
		case active:
			i := slices.Index(stack, name)
			path := append(slices.Clone(stack[i:]), name)
			return fmt.Errorf("policy: rule %q refers to itself: %s", name, strings.Join(path, " -> "))
		case done:
			return nil
		}
		state[name] = active
		stack = append(stack, name)
		var err error
		walkRefs(c, func(ref string) {
			if err == nil {
				err = visit(ref)
			}
		})
		if err != nil {
			return err
		}
		stack = stack[:len(stack)-1]
		state[name] = done
		return nil
	}
	for _, name := range names {
		if err := visit(name); err != nil {
			return err
		}
	}
	return nil
}

// walkRefs calls fn for every rule:NAME inside c.
func walkRefs(c Check, fn func(string)) {
	switch x := c.(type) {
	case ruleCheck:
		fn(string(x))
	case notCheck:
		walkRefs(x.c, fn)
	case andCheck:
		for _, s := range x {
			walkRefs(s, fn)
		}
	case orCheck:
		for _, s := range x {
			walkRefs(s, fn)
		}
	}
}

// TargetFree reports whether rule name decides on the caller alone — it reads nothing of the
// target (only roles, literal comparisons and credentials) — so one evaluation serves every
// resource of a list. A missing rule falls back to "default", as Enforce does.
func (e *Enforcer) TargetFree(name string) bool {
	c, ok := e.rules[name]
	if !ok {
		c, ok = e.rules["default"]
		if !ok {
			return true
		}
	}
	return e.targetFree(c, 0)
}

func (e *Enforcer) targetFree(c Check, depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch t := c.(type) {
	case trueCheck, falseCheck:
		return true
	case notCheck:
		return e.targetFree(t.c, depth+1)
	case andCheck:
		for _, x := range t {
			if !e.targetFree(x, depth+1) {
				return false
			}
		}
		return true
	case orCheck:
		for _, x := range t {
			if !e.targetFree(x, depth+1) {
				return false
			}
		}
		return true
	case ruleCheck:
		r, ok := e.rules[string(t)]
		return !ok || e.targetFree(r, depth+1)
	case roleCheck:
		return !strings.Contains(string(t), "%(")
	case genericCheck:
		return !strings.Contains(t.match, "%(")
	}
	return false // field checks and anything unknown read the target
}
