package policy

import "strings"

// Eq is a value a target may have to hold: target[Key], read as a rule reads it, equals
// Value.
type Eq struct{ Key, Value string }

// Scope bounds the targets rule action can pass for creds, as Neutron's project-scoped
// query bounds what a non-admin's list reads before the policy is asked. When bounded, every
// target the rule passes holds one of eqs: an owner check (tenant_id:%(tenant_id)s,
// tenant_id:%(network:tenant_id)s) holds only targets whose attribute is the caller's
// project, and a field check (field:networks:shared=True) only targets holding its literal
// (FieldKey). It is not bounded when the rule may pass a target none of such a list
// describes: it passes whatever the target (an admin), or reads the target otherwise (a
// regular expression, a literal compared with a target attribute, a negation). A rule that
// passes no target is bounded by no eqs.
func (e *Enforcer) Scope(action string, creds Credentials) (eqs []Eq, bounded bool) {
	c, ok := e.rule(action)
	if !ok {
		return nil, true
	}
	ev, p := e.probing(creds)
	cv := scope(c, ev, p)
	return cv.eqs, !cv.all
}

// FieldKey is the Key of the Eq a field check (field:<collection>:<attr>=<value>) bounds by:
// a target of collection whose attr equals Value as the check compares them (FieldBool for a
// boolean attribute). Of a collection RBAC shares, `shared` is the caller's own.
func FieldKey(collection, attr string) string { return "field:" + collection + ":" + attr }

// FieldBool reads a field check's literal compared with a boolean attribute (True, false,
// 1, ...); ok is false when the literal is no boolean (the check then passes no boolean).
func FieldBool(literal string) (v, ok bool) { return parseBool(literal, true) }

// cover is what scope knows of the targets a check passes: all of them may pass, or only
// those holding one of eqs.
type cover struct {
	all bool
	eqs []Eq
}

func scope(c Check, ev *evaluation, p *probe) cover {
	switch decide(c, ev, p) {
	case yes:
		return cover{all: true}
	case no:
		return cover{}
	}
	switch t := c.(type) {
	case orCheck: // passes what any branch passes
		var out cover
		for _, x := range t {
			cv := scope(x, ev, p)
			if cv.all {
				return cv
			}
			out.eqs = append(out.eqs, cv.eqs...)
		}
		return out
	case andCheck: // passes only what every branch passes: the narrowest bounded one bounds it
		out := cover{all: true}
		for _, x := range t {
			if cv := scope(x, ev, p); !cv.all && (out.all || len(cv.eqs) < len(out.eqs)) {
				out = cv
			}
		}
		return out
	case ruleCheck:
		r, ok := ev.rules[string(t)]
		if !ok || ev.depth >= maxDepth {
			return cover{}
		}
		ev.depth++
		defer func() { ev.depth-- }()
		return scope(r, ev, p)
	case fieldCheck: // passes targets whose attribute holds the literal
		if t.re == nil {
			return cover{eqs: []Eq{{Key: FieldKey(t.plural, t.attr), Value: t.value}}}
		}
	case genericCheck:
		if key, ok := onlySubstitution(t.match); ok {
			var v string
			switch t.kind {
			case "tenant_id", "project_id":
				v = ev.creds.ProjectID
			case "user_id":
				v = ev.creds.UserID
			}
			if v != "" { // an empty identity never matches (Credentials.matches)
				return cover{eqs: []Eq{{Key: key, Value: v}}}
			}
		}
	}
	return cover{all: true}
}

// onlySubstitution reads a match that is one %(key)s and nothing else.
func onlySubstitution(match string) (string, bool) {
	key, ok := strings.CutPrefix(match, "%(")
	if !ok {
		return "", false
	}
	key, ok = strings.CutSuffix(key, ")s")
	if !ok || key == "" || strings.ContainsAny(key, "()%") {
		return "", false
	}
	return key, true
}
