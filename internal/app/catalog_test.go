package app

import "testing"

// TestEveryCollectionAnswersNotFound: a show, update or delete of a missing id answers the
// collection's 404 — never a 500 from a description without one.
func TestEveryCollectionAnswersNotFound(t *testing.T) {
	cat, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range cat.All() {
		if r.Path == "" {
			continue // not served (the cluster's configuration)
		}
		if r.NotFound == nil {
			t.Errorf("%s has no NotFound", r.Collection)
			continue
		}
		if f := r.NotFound("x"); f == nil || f.Status != 404 {
			t.Errorf("%s: NotFound gives %+v", r.Collection, f)
		}
	}
}
