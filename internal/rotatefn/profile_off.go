//go:build !regmintprof

package rotatefn

// startPassProfile profiles nothing in the build users deploy; see
// profile_on.go (-tags regmintprof) for the analysis build.
func startPassProfile() func() { return func() {} }
