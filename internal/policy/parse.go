package policy

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Parsing follows oslo.policy's text syntax: the rule is split on white
// space; leading '(' and trailing ')' are peeled off each piece; "and", "or"
// and "not" (any case) are operators; everything else is a check KIND:MATCH.
// Precedence is not > and > or. An empty rule is always true.

type tokenKind int

const (
	tokOpen tokenKind = iota
	tokClose
	tokAnd
	tokOr
	tokNot
	tokCheck
)

type token struct {
	kind tokenKind
	text string
}

func tokenize(rule string) []token {
	var toks []token
	for _, word := range strings.Fields(rule) {
		for strings.HasPrefix(word, "(") {
			toks = append(toks, token{kind: tokOpen, text: "("})
			word = word[1:]
		}
		if word == "" {
			continue
		}
		core := strings.TrimRight(word, ")")
		trailing := len(word) - len(core)
		switch strings.ToLower(core) {
		case "":
		case "and":
			toks = append(toks, token{kind: tokAnd, text: core})
		case "or":
			toks = append(toks, token{kind: tokOr, text: core})
		case "not":
			toks = append(toks, token{kind: tokNot, text: core})
		default:
			toks = append(toks, token{kind: tokCheck, text: core})
		}
		for range trailing {
			toks = append(toks, token{kind: tokClose, text: ")"})
		}
	}
	return toks
}

// Parse compiles one rule string. It is exported so callers (for example a
// policy-file linter) can validate a rule without building an Enforcer.
func Parse(rule string) (Check, error) {
	toks := tokenize(rule)
	if len(toks) == 0 {
		return trueCheck{}, nil
	}
	p := &parser{toks: toks}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at token %d", p.toks[p.pos].text, p.pos+1)
	}
	return c, nil
}

type parser struct {
	toks []token
	pos  int
}

func (p *parser) peek() (token, bool) {
	if p.pos >= len(p.toks) {
		return token{}, false
	}
	return p.toks[p.pos], true
}

func (p *parser) or() (Check, error) {
	c, err := p.and()
	if err != nil {
		return nil, err
	}
	terms := []Check{c}
	for t, ok := p.peek(); ok && t.kind == tokOr; t, ok = p.peek() {
		p.pos++
		c, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, c)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return orCheck(terms), nil
}

func (p *parser) and() (Check, error) {
	c, err := p.not()
	if err != nil {
		return nil, err
	}
	terms := []Check{c}
	for t, ok := p.peek(); ok && t.kind == tokAnd; t, ok = p.peek() {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		terms = append(terms, c)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return andCheck(terms), nil
}

func (p *parser) not() (Check, error) {
	t, ok := p.peek()
	if ok && t.kind == tokNot {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return notCheck{c}, nil
	}
	return p.atom()
}

func (p *parser) atom() (Check, error) {
	t, ok := p.peek()
	if !ok {
		return nil, errors.New("unexpected end of rule")
	}
	p.pos++
	switch t.kind {
	case tokOpen:
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if t, ok := p.peek(); !ok || t.kind != tokClose {
			return nil, errors.New("missing ')'")
		}
		p.pos++
		return c, nil
	case tokCheck:
		return parseCheck(t.text)
	default:
		return nil, fmt.Errorf("unexpected %q at token %d", t.text, p.pos)
	}
}

// parseCheck compiles one KIND:MATCH term.
func parseCheck(s string) (Check, error) {
	switch s {
	case "@":
		return trueCheck{}, nil
	case "!":
		return falseCheck{}, nil
	}
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return nil, fmt.Errorf("bare string %s is not a check", s)
	}
	kind, match, ok := strings.Cut(s, ":")
	if !ok || kind == "" {
		return nil, fmt.Errorf("check %q is not of the form kind:match", s)
	}
	switch kind {
	case "rule":
		if match == "" {
			return nil, errors.New("rule: needs a rule name")
		}
		return ruleCheck(match), nil
	case "role":
		return roleCheck(match), nil
	case "field":
		return parseFieldCheck(match)
	case "http", "https":
		// oslo.policy would POST the target to a remote server; we do not
		// make network calls while authorising, so such a check fails closed.
		return falseCheck{}, nil
	}
	return genericCheck{kind: kind, match: match}, nil
}

// parseFieldCheck compiles Neutron's field:RESOURCE:ATTR=VALUE. A VALUE
// starting with '~' is a regular expression anchored at the start (Python's
// re.match).
func parseFieldCheck(match string) (Check, error) {
	resource, rest, ok := strings.Cut(match, ":")
	if !ok || resource == "" {
		return nil, fmt.Errorf("field check %q needs resource:attr=value", match)
	}
	attr, value, ok := strings.Cut(rest, "=")
	if !ok || attr == "" {
		return nil, fmt.Errorf("field check %q needs resource:attr=value", match)
	}
	fc := fieldCheck{resource: resource, attr: attr, value: value}
	fc.plural, fc.singular = collectionNames(resource)
	if pat, isRE := strings.CutPrefix(value, "~"); isRE {
		re, err := regexp.Compile(`^(?:` + pat + `)`)
		if err != nil {
			return nil, fmt.Errorf("field check %q: %w", match, err)
		}
		fc.re = re
	}
	return fc, nil
}

// collectionNames returns the plural collection name and its singular
// resource name for a field check's resource, which Neutron spells either
// way ("networks", but "port" and "rbac_policy" in some defaults).
func collectionNames(resource string) (plural, singular string) {
	switch {
	case strings.HasSuffix(resource, "ies"):
		return resource, strings.TrimSuffix(resource, "ies") + "y"
	case strings.HasSuffix(resource, "sses"):
		return resource, strings.TrimSuffix(resource, "es")
	case strings.HasSuffix(resource, "s"):
		return resource, strings.TrimSuffix(resource, "s")
	case strings.HasSuffix(resource, "y"):
		return strings.TrimSuffix(resource, "y") + "ies", resource
	case strings.HasSuffix(resource, "ss"):
		return resource + "es", resource
	default:
		return resource + "s", resource
	}
}
