// Command jsongen writes internal/topology's json_gen.go (see package jsongen); `go
// generate ./internal/topology` runs it there.
package main

import (
	"fmt"
	"os"

	"github.com/midonet-go/midonet/internal/topology/jsongen"
)

func main() {
	src, err := jsongen.Source()
	if err == nil {
		err = os.WriteFile("json_gen.go", src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
