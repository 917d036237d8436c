package resource

import (
	"fmt"
	"sync"
	"testing"
)

// TestDescriptionsAreSafeForConcurrentUse hits fresh copies of every description (their
// by-name index not built yet) and the shared ones from many goroutines at once, as the API
// server does with concurrent requests. Run under -race it fails on any unsynchronised
// lazy initialisation; without -race it still checks every lookup answers the right attribute.
func TestDescriptionsAreSafeForConcurrentUse(t *testing.T) {
	all := append(append([]*Resource{}, Core...), Routers, FloatingIPs)
	var descs []*Resource
	for _, r := range all {
		fresh := &Resource{Collection: r.Collection, Member: r.Member, Path: r.Path, Attrs: r.Attrs, Tags: r.Tags, NotFound: r.NotFound}
		descs = append(descs, fresh, r)
	}
	const workers = 16
	errs := make(chan error, workers*len(descs))
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			start.Wait()
			for j := range descs {
				r := descs[(i+j)%len(descs)]
				for _, a := range r.Attrs {
					if got := r.Attr(a.Name); got != a {
						errs <- fmt.Errorf("%s: Attr(%q) = %v, want the described attribute", r.Collection, a.Name, got)
					}
					if want := !a.Hidden && !a.FilterOnly; r.Visible(a.Name) != want {
						errs <- fmt.Errorf("%s: Visible(%q) = %v with Hidden %v, FilterOnly %v", r.Collection, a.Name, !want, a.Hidden, a.FilterOnly)
					}
				}
				if r.Attr("no_such_attribute") != nil {
					errs <- fmt.Errorf("%s: an unknown attribute was found", r.Collection)
				}
				if _, err := r.ParseUpdate(map[string]any{"no_such_attribute": 1}); err == nil {
					errs <- fmt.Errorf("%s: an update with an unknown attribute was accepted", r.Collection)
				}
			}
		}(i)
	}
	start.Done()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
