package policy

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Check is a compiled rule: a tree of operators over individual checks.
// String renders it back in the rule language, fully parenthesised, which is
// how tests observe precedence.
type Check interface {
	eval(ev *evaluation) bool
	String() string
}

// maxDepth bounds rule:NAME indirection at evaluation time. New already
// rejects cycles; this is a second line of defence.
const maxDepth = 64

// evaluation carries one Enforce call's inputs through the tree.
type evaluation struct {
	rules  map[string]Check
	target Target
	creds  Credentials
	depth  int
}

type trueCheck struct{}

func (trueCheck) eval(*evaluation) bool { return true }
func (trueCheck) String() string        { return "@" }

type falseCheck struct{}

func (falseCheck) eval(*evaluation) bool { return false }
func (falseCheck) String() string        { return "!" }

type notCheck struct{ c Check }

func (n notCheck) eval(ev *evaluation) bool { return !n.c.eval(ev) }
func (n notCheck) String() string           { return "not " + n.c.String() }

type andCheck []Check

func (a andCheck) eval(ev *evaluation) bool {
	for _, c := range a {
		if !c.eval(ev) {
			return false
		}
	}
	return true
}

func (a andCheck) String() string { return joinChecks(a, " and ") }

type orCheck []Check

func (o orCheck) eval(ev *evaluation) bool {
	for _, c := range o {
		if c.eval(ev) {
			return true
		}
	}
	return false
}

func (o orCheck) String() string { return joinChecks(o, " or ") }

func joinChecks(cs []Check, sep string) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// ruleCheck is rule:NAME. An undefined rule fails closed, as in oslo.policy.
type ruleCheck string

func (r ruleCheck) eval(ev *evaluation) bool {
	c, ok := ev.rules[string(r)]
	if !ok || ev.depth >= maxDepth {
		return false
	}
	ev.depth++
	defer func() { ev.depth-- }()
	return c.eval(ev)
}

func (r ruleCheck) String() string { return "rule:" + string(r) }

// roleCheck is role:NAME, compared case-insensitively. NAME may itself be a
// %(attr)s substitution from the target.
type roleCheck string

func (r roleCheck) eval(ev *evaluation) bool {
	want, ok := substitute(string(r), ev.target)
	if !ok {
		return false
	}
	for _, have := range ev.creds.Roles {
		if strings.EqualFold(have, want) {
			return true
		}
	}
	return false
}

func (r roleCheck) String() string { return "role:" + string(r) }

// genericCheck is KIND:MATCH. MATCH is substituted from the target; KIND is
// either a Python-style literal (True, False, None, a number, a quoted
// string) compared with MATCH, or a credential name whose value must equal
// MATCH. Neutron's owner check (tenant_id:%(tenant_id)s and its parent form
// tenant_id:%(network:tenant_id)s) is this check.
type genericCheck struct {
	kind  string
	match string
}

func (g genericCheck) eval(ev *evaluation) bool {
	match, ok := substitute(g.match, ev.target)
	if !ok {
		return false
	}
	if lit, ok := pyLiteral(g.kind); ok {
		return match == lit
	}
	return ev.creds.matches(g.kind, match)
}

func (g genericCheck) String() string { return g.kind + ":" + g.match }

// fieldCheck is Neutron's field:RESOURCE:ATTR=VALUE. The attribute is read
// from the target itself when the target is that resource (or names no
// collection), else from its flattened parent, "SINGULAR:ATTR".
type fieldCheck struct {
	resource, attr, value string
	plural, singular      string
	re                    *regexp.Regexp
}

func (f fieldCheck) eval(ev *evaluation) bool {
	v, ok := f.lookup(ev.target)
	if !ok || v == nil {
		return false
	}
	if f.re != nil {
		return f.re.MatchString(pyString(v))
	}
	return fieldEqual(v, f.value)
}

func (f fieldCheck) lookup(target Target) (any, bool) {
	c, _ := target.Lookup("_collection")
	coll, _ := c.(string)
	if coll == "" || coll == f.plural || coll == f.singular {
		if v, ok := target.Lookup(f.attr); ok {
			return v, true
		}
	}
	return target.Lookup(f.singular + ":" + f.attr)
}

func (f fieldCheck) String() string {
	return "field:" + f.resource + ":" + f.attr + "=" + f.value
}

// fieldEqual compares a target value with a field check's literal the way
// Neutron does after converting the literal with the attribute's converter:
// booleans compare as booleans (True/true/1), everything else as text.
func fieldEqual(v any, want string) bool {
	if b, ok := v.(bool); ok {
		w, ok := parseBool(want, true)
		return ok && w == b
	}
	s := pyString(v)
	if s == want {
		return true
	}
	sb, ok1 := parseBool(s, false)
	wb, ok2 := parseBool(want, false)
	return ok1 && ok2 && sb == wb
}

// parseBool reads Neutron's boolean spellings; digits count only when the
// other side is known to be a boolean.
func parseBool(s string, digits bool) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	case "1":
		return true, digits
	case "0":
		return false, digits
	}
	return false, false
}

// matches reports whether the credential named by key (oslo.policy's
// dotted path, of which only the first segment means anything here) equals
// value. Empty identities never match, so an anonymous caller cannot own a
// resource that has no owner.
func (c Credentials) matches(key, value string) bool {
	switch key {
	case "tenant_id", "project_id":
		return c.ProjectID != "" && c.ProjectID == value
	case "user_id":
		return c.UserID != "" && c.UserID == value
	case "is_admin":
		return pyString(c.IsAdmin) == value
	case "roles":
		for _, r := range c.Roles {
			if r == value {
				return true
			}
		}
	}
	return false
}

// substitute expands Python %-style mapping keys, %(key)s, from the target.
// It reports false when a key is missing, which fails the check, as
// oslo.policy does on KeyError. "%%" is a literal percent sign.
func substitute(tmpl string, target Target) (string, bool) {
	if !strings.Contains(tmpl, "%") {
		return tmpl, true
	}
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch != '%' || i+1 >= len(tmpl) {
			b.WriteByte(ch)
			continue
		}
		switch tmpl[i+1] {
		case '%':
			b.WriteByte('%')
			i++
			continue
		case '(':
		default:
			b.WriteByte(ch)
			continue
		}
		end := closingParen(tmpl, i+1)
		if end < 0 {
			b.WriteByte(ch)
			continue
		}
		key := tmpl[i+2 : end]
		// Skip flags, width and precision, then the conversion letter.
		j := end + 1
		for j < len(tmpl) && strings.IndexByte("#0- +.0123456789", tmpl[j]) >= 0 {
			j++
		}
		if j >= len(tmpl) || !isLetter(tmpl[j]) {
			b.WriteByte(ch)
			continue
		}
		v, ok := lookupTarget(target, key)
		if !ok {
			return "", false
		}
		b.WriteString(pyString(v))
		i = j
	}
	return b.String(), true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// closingParen finds the ')' matching the '(' at open, counting nesting as
// Python's % operator does.
func closingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// lookupTarget reads key from the target, treating tenant_id and project_id
// (also in parent form, network:tenant_id) as the same attribute.
func lookupTarget(target Target, key string) (any, bool) {
	if v, ok := target.Lookup(key); ok {
		return v, true
	}
	var alt string
	switch {
	case strings.HasSuffix(key, "tenant_id"):
		alt = strings.TrimSuffix(key, "tenant_id") + "project_id"
	case strings.HasSuffix(key, "project_id"):
		alt = strings.TrimSuffix(key, "project_id") + "tenant_id"
	default:
		return nil, false
	}
	return target.Lookup(alt)
}

// pyLiteral interprets a check's left side as a Python literal, returning
// its str() form.
func pyLiteral(s string) (string, bool) {
	switch s {
	case "True", "False", "None":
		return s, true
	}
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return strconv.FormatInt(n, 10), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
		return pyString(f), true
	}
	return "", false
}

// pyString formats a target value as Python's str() would.
func pyString(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Sprint(x)
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case []string:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = "'" + p + "'"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
