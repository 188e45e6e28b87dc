package config

// plainKinds are store kinds with plain ref checks, for this package's
// internal tests of the document's decoding: the real kinds
// (core/stores.Kinds) import this package, so only the external tests use
// them.
func plainKinds() []StoreKind {
	return []StoreKind{
		{Name: "secretsmanager", Check: CheckRef},
		{Name: "file", Check: CheckRef},
		{Name: "github", Check: CheckRef, Keys: []string{"repository", "environment", "organization", "visibility", "selected-repository-ids", "docker-config"}},
	}
}
