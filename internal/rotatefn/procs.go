package rotatefn

import (
	"strconv"
	"strings"
)

// Lambda gives a function CPU in proportion to its memory: one full vCPU
// at 1,769 MB, a fraction of one below (the template's 128 MB: about 7%
// of one), whatever number of vCPUs the environment shows.
const (
	envLambdaMemory = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
	envGOMAXPROCS   = "GOMAXPROCS"
	oneVCPUMemoryMB = 1769
)

// lambdaProcs returns the GOMAXPROCS the function sets in Lambda: 1 when
// its memory size gives it less than one vCPU, else 0 (leave Go's
// default). A second P there buys no parallelism, only its cost: idle Ps
// spinning for work and waking each other on every network event (a
// first pass over 1000 targets spent 17% more CPU with 2). A GOMAXPROCS
// the deployment sets is always kept.
func lambdaProcs(getenv func(string) string) int {
	if getenv(envGOMAXPROCS) != "" {
		return 0
	}
	mb, err := strconv.Atoi(strings.TrimSpace(getenv(envLambdaMemory)))
	if err != nil || mb <= 0 || mb >= oneVCPUMemoryMB {
		return 0
	}
	return 1
}
