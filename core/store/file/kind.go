package file

import "github.com/regmint/regmint/core/config"

// KindName is the store kind name destinations write for a docker
// config.json file.
const KindName = "file"

// Kind returns the file store kind: the ref names the entry (its registry
// host and metadata) in the docker config.json beside the file.
func Kind() config.StoreKind {
	return config.StoreKind{Name: KindName, Check: config.CheckRef}
}
