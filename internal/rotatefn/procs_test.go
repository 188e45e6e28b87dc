package rotatefn

import "testing"

func TestLambdaProcs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		memory, procs string
		want          int
	}{
		{"template's 128 MB: a fraction of a vCPU", "128", "", 1},
		{"just under one vCPU", "1768", "", 1},
		{"one vCPU", "1769", "", 0},
		{"several vCPUs", "10240", "", 0},
		{"GOMAXPROCS set by the deployment is kept", "128", "2", 0},
		{"not in Lambda", "", "", 0},
		{"not a number", "lots", "", 0},
		{"negative", "-128", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{envLambdaMemory: tc.memory, envGOMAXPROCS: tc.procs}
			if got := lambdaProcs(func(k string) string { return env[k] }); got != tc.want {
				t.Errorf("lambdaProcs(memory %q, GOMAXPROCS %q) = %d, want %d", tc.memory, tc.procs, got, tc.want)
			}
		})
	}
}
