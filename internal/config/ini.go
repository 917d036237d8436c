package config

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// assignment is one "name = value" read from a file.
type assignment struct {
	section string // as written in the file
	name    string
	value   string
	line    int
}

// parseINI reads the oslo.config dialect of INI:
//   - "[section]" starts a section; assignments before any section are an error;
//   - "name = value" or "name: value", whichever separator comes first;
//   - the value is trimmed, and one pair of matching surrounding quotes
//     (' or ") is removed;
//   - lines starting with '#' or ';' are comments; there are no inline comments;
//   - a line starting with a space or tab continues the previous value
//     (joined with a newline); a blank line ends it.
func parseINI(r io.Reader) ([]assignment, error) {
	var (
		out     []assignment
		section string
		cur     = -1 // index of the assignment continuation lines extend
		lineno  int
	)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		lineno++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if lineno == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		switch {
		case line == "":
			cur = -1
		case line[0] == ' ' || line[0] == '\t':
			if cur < 0 {
				return nil, fmt.Errorf("line %d: unexpected continuation line", lineno)
			}
			out[cur].value += "\n" + strings.TrimLeft(line, " \t")
		case line[0] == '#' || line[0] == ';':
			cur = -1
		case line[0] == '[':
			cur = -1
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: section must end with ]: %q", lineno, line)
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			if section == "" {
				return nil, fmt.Errorf("line %d: empty section name", lineno)
			}
		default:
			name, value, err := splitAssignment(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineno, err)
			}
			if section == "" {
				return nil, fmt.Errorf("line %d: %q is not in a section", lineno, name)
			}
			out = append(out, assignment{section: section, name: name, value: value, line: lineno})
			cur = len(out) - 1
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", lineno+1, err)
	}
	return out, nil
}

// splitAssignment splits "name = value" or "name: value" at whichever of '='
// and ':' comes first.
func splitAssignment(line string) (name, value string, err error) {
	i := strings.IndexAny(line, "=:")
	if i < 0 {
		return "", "", fmt.Errorf("no '=' or ':' in %q", line)
	}
	name = strings.TrimSpace(line[:i])
	if name == "" {
		return "", "", fmt.Errorf("empty option name in %q", line)
	}
	value = strings.TrimSpace(line[i+1:])
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		value = value[1 : len(value)-1]
	}
	return name, value, nil
}
