package conformance

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// ScenarioReport is the outcome of one scenario.
type ScenarioReport struct {
	Name    string
	Results []StepResult
	Err     error // the scenario could not run at all
}

// Counts returns how many steps were compared, sent but not compared
// (deployment tags), and compared with differences.
func (s ScenarioReport) Counts() (compared, deployment, failing int) {
	for _, r := range s.Results {
		if r.Deployment != "" {
			deployment++
			continue
		}
		compared++
		if len(r.Diffs) > 0 {
			failing++
		}
	}
	return compared, deployment, failing
}

// FormatStep describes a failing step: its index, name, request and every
// difference, one per line.
func FormatStep(r StepResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d %q: %s", r.Index, r.Name, r.Request())
	if len(r.Unresolved) > 0 {
		fmt.Fprintf(&b, "\n    (request used unresolved captures %s: an earlier capture failed)", strings.Join(dedupe(r.Unresolved), ", "))
	}
	for _, d := range r.Diffs {
		b.WriteString("\n    ")
		b.WriteString(d.String())
	}
	return b.String()
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// pathPattern turns a diff path into a grouping key: list indexes dropped
// and the top-level member made singular ("ports[2].fixed_ips[0].ip_address"
// becomes "port.fixed_ips[].ip_address").
func pathPattern(p string) string {
	p = indexRE.ReplaceAllString(p, "[]")
	end := strings.IndexAny(p, ".[")
	if end < 0 {
		end = len(p)
	}
	first, rest := p[:end], p[end:]
	if r := resourceOf(first); r != "" && rest != "" {
		first = r
		rest = strings.TrimPrefix(rest, "[]")
		if rest != "" && rest[0] != '.' {
			rest = "." + rest
		}
	}
	return first + rest
}

// cause is the grouping key and title of a difference.
func cause(r StepResult, d Diff) (key, title string) {
	if len(r.Unresolved) > 0 {
		return "~cascade", "Consequences: the request used a capture that failed earlier"
	}
	switch d.Kind {
	case KindStatus:
		return "status|" + d.Want + "|" + d.Got, fmt.Sprintf("status %s expected, ours %s", d.Want, d.Got)
	case KindErrorType:
		return "etype|" + d.Want + "|" + d.Got, fmt.Sprintf("NeutronError type %s expected, ours %s", d.Want, d.Got)
	case KindMissingKey:
		p := pathPattern(d.Path)
		return "missing|" + p, fmt.Sprintf("missing key `%s`", p)
	case KindExtraKey:
		p := pathPattern(d.Path)
		return "extra|" + p, fmt.Sprintf("key `%s` returned although fields= did not ask for it", p)
	case KindHeader:
		return "header|" + d.Path + "|" + d.Want, fmt.Sprintf("header `%s` should be %s", d.Path, d.Want)
	case KindBody:
		return "body|" + d.Want, fmt.Sprintf("body: want %s", d.Want)
	case KindCapture:
		return "~capture", "Captures that failed (see the causes above)"
	case KindTransport:
		return "transport", "no answer at all (server crashed or hung?)"
	case KindLink:
		p := pathPattern(d.Path)
		return "link|" + p, fmt.Sprintf("pagination link `%s` differs", p)
	default:
		p := strings.TrimSuffix(pathPattern(d.Path), "[]") // list length and items together
		if p == "" {
			p = "body"
		}
		return "value|" + p, fmt.Sprintf("value of `%s` differs", p)
	}
}

type group struct {
	key, title string
	steps      map[string]bool
	examples   []string
}

// maxExamples bounds the examples listed per cause.
const maxExamples = 6

// WriteSummary writes a Markdown summary of the failures, grouped by cause,
// most frequent first. intro is written under the title.
func WriteSummary(w io.Writer, reports []ScenarioReport, intro string) error {
	var b strings.Builder
	b.WriteString("# Conformance failures\n\n")
	if intro != "" {
		b.WriteString(intro + "\n\n")
	}
	var tc, td, tf, ts int
	b.WriteString("| scenario | steps | compared | deployment (not compared) | failing |\n|---|---|---|---|---|\n")
	for _, s := range reports {
		c, d, f := s.Counts()
		if s.Err != nil {
			fmt.Fprintf(&b, "| %s | – | – | – | did not run: %s |\n", s.Name, strings.ReplaceAll(oneLine(s.Err.Error()), "|", "\\|"))
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d |\n", s.Name, len(s.Results), c, d, f)
		ts, tc, td, tf = ts+len(s.Results), tc+c, td+d, tf+f
	}
	fmt.Fprintf(&b, "| **total** | %d | %d | %d | %d |\n\n", ts, tc, td, tf)

	ignored := map[string]int{}
	for _, s := range reports {
		for _, r := range s.Results {
			for a, n := range r.Ignored {
				ignored[a] += n
			}
		}
	}
	if len(ignored) > 0 {
		b.WriteString("Golden keys not compared because our server does not advertise the alias that adds them " +
			"(alias: number of keys and values skipped): ")
		for i, a := range sortedKeys(ignored) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "`%s`: %d", a, ignored[a])
		}
		b.WriteString(".\n\n")
	}

	groups := map[string]*group{}
	for _, s := range reports {
		for _, r := range s.Results {
			for _, d := range r.Diffs {
				key, title := cause(r, d)
				g := groups[key]
				if g == nil {
					g = &group{key: key, title: title, steps: map[string]bool{}}
					groups[key] = g
				}
				ref := fmt.Sprintf("%s#%d", s.Name, r.Index)
				if g.steps[ref] {
					continue
				}
				g.steps[ref] = true
				if len(g.examples) < maxExamples {
					g.examples = append(g.examples, fmt.Sprintf("`%s` %s — `%s %s`: %s",
						ref, r.Name, r.Method, cut(r.Template, 100), oneLine(d.String())))
				}
			}
		}
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		ci, cj := strings.HasPrefix(list[i].key, "~"), strings.HasPrefix(list[j].key, "~")
		if ci != cj {
			return cj // consequences last
		}
		if len(list[i].steps) != len(list[j].steps) {
			return len(list[i].steps) > len(list[j].steps)
		}
		return list[i].key < list[j].key
	})
	if len(list) == 0 {
		b.WriteString("No differences.\n")
	} else {
		b.WriteString("## By cause (most steps first)\n\n")
	}
	for _, g := range list {
		fmt.Fprintf(&b, "### %s — %d step(s)\n\n", g.title, len(g.steps))
		for _, e := range g.examples {
			b.WriteString("- " + e + "\n")
		}
		if n := len(g.steps) - len(g.examples); n > 0 {
			fmt.Fprintf(&b, "- … and %d more\n", n)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cut shortens s to n bytes, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }
