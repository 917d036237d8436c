package config

import (
	"fmt"
	"io"
	"net/url"
	"strings"
)

// typeNames are oslo-config-generator's words for the option types.
var typeNames = map[Type]string{
	String: "string value",
	Int:    "integer value",
	Bool:   "boolean value",
	List:   "list value",
	Float:  "floating point value",
}

// WriteSample writes every registered option as oslo-config-generator prints a sample file:
// grouped by section ([DEFAULT] first), each option's help wrapped as comments with its type,
// then the option commented out at its default.
func (r *Registry) WriteSample(w io.Writer) error {
	var b strings.Builder
	opts := r.Options()
	for i, o := range opts {
		if i == 0 || opts[i-1].Group != o.Group {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "[%s]\n\n#\n# From midonet\n#\n", o.Group)
		}
		b.WriteString("\n")
		for _, l := range wrap(o.Help+" ("+typeNames[o.Type]+")", 70) {
			b.WriteString("# " + l + "\n")
		}
		if o.Secret {
			b.WriteString("# This option holds a secret: `midonet config show` masks it.\n")
		}
		if o.Default == "" {
			fmt.Fprintf(&b, "#%s =\n", o.Name)
		} else {
			fmt.Fprintf(&b, "#%s = %s\n", o.Name, o.Default)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// wrap breaks text into lines of at most width characters at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// WriteEffective writes the configuration in force, as an INI file the server would read
// the same way: every option by section with its value, a comment naming the file (or the
// command line) that set it when it is not the default, and secrets masked (a database URL
// keeps everything but its password).
func (c *Config) WriteEffective(w io.Writer) error {
	var b strings.Builder
	opts := c.reg.Options()
	for i, o := range opts {
		if i == 0 || opts[i-1].Group != o.Group {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "[%s]\n", o.Group)
		}
		v := c.String(o.Group, o.Name)
		if o.Secret {
			v = mask(v)
		}
		switch src := c.Source(o.Group, o.Name); src {
		case "default":
		case "override":
			b.WriteString("# set by the command (no --config-file)\n")
		default:
			b.WriteString("# set in " + src + "\n")
		}
		v = strings.ReplaceAll(v, "\n", "\n    ") // a multi-line value reads back as one
		fmt.Fprintf(&b, "%s = %s\n", o.Name, v)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mask hides a secret: the password of a URL, or the whole value.
func mask(v string) string {
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err == nil && u.Scheme != "" && u.Host != "" {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "****")
		}
		return strings.Replace(u.String(), "%2A%2A%2A%2A", "****", 1)
	}
	return "****"
}
