// Package buildinfo says which version of regmint a binary is, from what
// the Go toolchain records in it: the module version for `go install
// ...@version`, else the VCS revision of a local build.
package buildinfo

import "runtime/debug"

// Version returns the binary's version: the main module's version
// ("v1.2.3") when it was built from a module download, else "devel" with
// the VCS revision (and "+dirty" for uncommitted changes) when known.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v
}
