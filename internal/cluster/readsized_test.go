package cluster

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadSized: a body is read whole whatever length its request gave (the right one, a
// shorter or longer one, none), in small reads too, and a body over the limit fails.
func TestReadSized(t *testing.T) {
	body := strings.Repeat(`{"id":"p1","name":"x"}`, 100)
	for _, c := range []struct {
		name string
		size int64
	}{
		{"right size", int64(len(body))},
		{"said shorter", 10},
		{"said longer", int64(len(body)) + 100},
		{"unknown", -1},
		{"none", 0},
		{"past the limit", maxRESTBody + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(body), iotest.OneByteReader(strings.NewReader(body))} {
				got, err := readSized(r, c.size)
				if err != nil || string(got) != body {
					t.Fatalf("read %d bytes (%v), want the %d of the body", len(got), err, len(body))
				}
			}
			if c.size == int64(len(body)) {
				if got, _ := readSized(strings.NewReader(body), c.size); cap(got) != len(body)+1 {
					t.Errorf("a body of the size it said took a buffer of %d bytes, want %d", cap(got), len(body)+1)
				}
			}
		})
	}
	big := bytes.Repeat([]byte("x"), maxRESTBody+10)
	w := httptest.NewRecorder()
	_, err := readSized(http.MaxBytesReader(w, io.NopCloser(bytes.NewReader(big)), maxRESTBody), int64(len(big)))
	var tooLarge *http.MaxBytesError
	if !errors.As(err, &tooLarge) {
		t.Fatalf("a body over the limit: %v, want http.MaxBytesError", err)
	}
	if _, err := readSized(iotest.ErrReader(errors.New("broken")), 100); err == nil || err.Error() != "broken" {
		t.Fatalf("a broken reader: %v", err)
	}
}
