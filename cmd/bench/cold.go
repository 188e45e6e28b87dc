package main

import (
	"context"
	"fmt"
	"time"

	"github.com/regmint/regmint/internal/lambdatest"
)

// benchCold measures only the rotation function's cold start (-only
// cold): for each target count of -targets, -cold-starts starts to the
// first /next with the config read from the emulated SSM parameter, and
// none of the long passes. With -baseline-bootstrap, that build's starts
// alternate with the bootstrap's, so that both see the same machine.
func benchCold(ctx context.Context, o options) (*section, error) {
	most := 0
	for _, n := range o.targets {
		most = max(most, n)
	}
	s := &section{title: "Rotation function cold start (process start to the first /next), config from the emulated SSM parameter, TCR targets sharing their settings through a merge key"}
	w, err := newRotateWorld(o, most)
	if err != nil {
		return nil, err
	}
	defer w.close()
	builds := []struct{ name, path string }{{"", o.bootstrap}}
	if o.baselineBootstrap != "" {
		builds = append([]struct{ name, path string }{{"baseline ", o.baselineBootstrap}}, builds[0])
		builds[1].name = "this build "
	}
	for _, n := range o.targets {
		cfg := w.config(n, fmt.Sprintf("cold%d/", n))
		starts := make([][]time.Duration, len(builds))
		for range o.coldStarts {
			for b, build := range builds {
				bo := o
				bo.bootstrap = build.path
				d, _, err := coldStart(ctx, bo, func(api *lambdatest.Server) []string { return w.env(api, cfg) })
				if err != nil {
					return nil, fmt.Errorf("%s%s: %w", build.name, build.path, err)
				}
				starts[b] = append(starts[b], d)
			}
		}
		for b, build := range builds {
			s.add(row{fmt.Sprintf("%scold start, %d-target config (%d starts)", build.name, n, o.coldStarts),
				ms(median(starts[b])), ms(p90(starts[b])), "<= 30 ms", met(median(starts[b]) <= 30*time.Millisecond)})
		}
	}
	return s, nil
}
