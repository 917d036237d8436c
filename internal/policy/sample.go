package policy

import (
	"strings"
)

// sampleWidth is the line width oslo.policy's generator wraps descriptions to.
const sampleWidth = 70

// Sample returns a sample policy file in YAML with every default rule
// commented out, each preceded by its description and one "# METHOD /path"
// line per operation, in the style of oslo.policy's sample generator (extra: the services' rules).
// Removing the leading '#' from the rule lines yields a valid policy file.
func Sample(extra ...[]Rule) string {
	var b strings.Builder
	for _, r := range Defaults(extra...) {
		if r.Description != "" {
			writeComment(&b, r.Description)
		}
		for _, op := range r.Operations {
			b.WriteString("# " + op.Method + " " + op.Path + "\n")
		}
		b.WriteString("#" + yamlQuote(r.Name) + ": " + yamlQuote(r.Check) + "\n\n")
	}
	return b.String()
}

// writeComment word-wraps text into "# " lines no wider than sampleWidth
// (a longer word gets a line of its own).
func writeComment(b *strings.Builder, text string) {
	line := "#"
	for _, w := range strings.Fields(text) {
		if line != "#" && len(line)+1+len(w) > sampleWidth {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}

// yamlQuote renders s as a YAML double-quoted scalar.
func yamlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
