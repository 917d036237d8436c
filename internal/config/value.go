package config

import (
	"fmt"
	"strconv"
	"strings"
)

// parseValue converts raw text to the Go value of type t: string, int, bool,
// []string or float64. Empty text is the zero value (an unset option), as
// oslo.config reads an empty integer as None.
func parseValue(t Type, raw string) (any, error) {
	s := strings.TrimSpace(raw)
	switch t {
	case String:
		return raw, nil
	case Int:
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		return n, nil
	case Bool:
		return parseBool(s)
	case List:
		return parseList(raw), nil
	case Float:
		if s == "" {
			return 0.0, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown option type %v", t)
}

// parseBool accepts the spellings oslo.config accepts, in any case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "false", "0", "off", "no":
		return false, nil
	case "true", "1", "on", "yes":
		return true, nil
	}
	return false, fmt.Errorf("%q is not a boolean (true/false, yes/no, on/off, 1/0)", s)
}

// parseList splits on commas, trims each item and drops empty items.
func parseList(raw string) []string {
	out := []string{}
	for item := range strings.SplitSeq(raw, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
