package main

import (
	"fmt"
	"os"
)

// benchSizes reports the sizes of the stripped binaries.
func benchSizes(o options) (*section, error) {
	s := &section{title: "Binary sizes (stripped: -trimpath -ldflags='-s -w', CGO_ENABLED=0)"}
	for _, b := range []struct{ what, path string }{
		{"Action binary, linux/amd64", o.actionAmd64},
		{"rotation bootstrap, linux/arm64 as deployed", o.bootstrapArm64},
	} {
		fi, err := os.Stat(b.path)
		if err != nil {
			return nil, fmt.Errorf("size of the %s: %w", b.what, err)
		}
		goal, ok := "", true
		if b.path == o.bootstrapArm64 {
			goal, ok = "<= 12 MB", fi.Size() <= 12e6
			o.figures.set("bootstrap_mb", float64(fi.Size())/1e6)
		}
		s.add(row{b.what + " (" + b.path + ")", mb(fi.Size()), "", goal, metIf(goal, ok)})
	}
	s.note("the Action image (distroless/static + the binary) cannot be built here (no Docker engine); the release workflow checks its size")
	return s, nil
}
