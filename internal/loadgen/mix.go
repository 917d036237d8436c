package loadgen

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Operations a mix can hold, in the order reports list them.
var mixOps = []string{"create", "update", "delete", "list"}

// maxWeight bounds one proportion of a mix.
const maxWeight = 1_000_000

// Mix is the proportion of each operation in a mixed workload, e.g. create=60,update=20:
// weights, not necessarily summing to 100.
type Mix map[string]int

// ParseMix reads "create=60,update=20,delete=10,list=10". Every operation named must be one of
// create, update, delete and list, at most once, with a whole weight from 0 to 1,000,000; the
// weights must not all be 0. An empty string is no mix.
func ParseMix(s string) (Mix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	m := Mix{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		op, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		op = strings.ToLower(strings.TrimSpace(op))
		if !ok {
			return nil, fmt.Errorf("loadgen: mix %q: %q is not operation=weight", s, part)
		}
		known := false
		for _, k := range mixOps {
			known = known || k == op
		}
		if !known {
			return nil, fmt.Errorf("loadgen: mix %q: unknown operation %q (one of %s)", s, op, strings.Join(mixOps, ", "))
		}
		if _, dup := m[op]; dup {
			return nil, fmt.Errorf("loadgen: mix %q: %s given twice", s, op)
		}
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 || n > maxWeight {
			return nil, fmt.Errorf("loadgen: mix %q: weight of %s must be a whole number from 0 to %d, not %q", s, op, maxWeight, w)
		}
		m[op] = n
		total += n
	}
	if total == 0 {
		return nil, fmt.Errorf("loadgen: mix %q: every weight is 0", s)
	}
	return m, nil
}

// String prints the mix in the order of mixOps, e.g. "create=60,update=20".
func (m Mix) String() string {
	var parts []string
	for _, op := range mixOps {
		if w, ok := m[op]; ok {
			parts = append(parts, fmt.Sprintf("%s=%d", op, w))
		}
	}
	return strings.Join(parts, ",")
}

// Schedule returns n operations in the mix's proportions, spread evenly (smooth weighted
// round robin): any n that is a multiple of the weights' sum holds each operation exactly in
// proportion, and every prefix of the schedule is within one operation of it.
func (m Mix) Schedule(n int) []string {
	ops := make([]string, 0, len(m))
	total := 0
	for op, w := range m {
		if w > 0 {
			ops = append(ops, op)
			total += w
		}
	}
	sort.Slice(ops, func(i, j int) bool { return opRank(ops[i]) < opRank(ops[j]) })
	cur := make([]int, len(ops))
	out := make([]string, 0, max(n, 0))
	for k := 0; k < n && total > 0; k++ {
		best := 0
		for i, op := range ops {
			cur[i] += m[op]
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		out = append(out, ops[best])
	}
	return out
}

func opRank(op string) int {
	for i, k := range mixOps {
		if k == op {
			return i
		}
	}
	return len(mixOps)
}
