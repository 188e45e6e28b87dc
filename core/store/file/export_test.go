package file

// SetBeforeRename sets the hook run before each file is renamed into place,
// so tests can make a write fail at its last step.
func SetBeforeRename(s *Store, f func(tmp string) error) { s.beforeRename = f }
