// Package file keeps regmint credentials in a docker config.json: the
// store for local runs, so that the same binary can keep a build host's
// docker login fresh from cron.
//
// Put merges the credential into the "auths" entry of its registry with
// core.MergeDockerConfig: every other registry, "credHelpers" and any key
// regmint does not know are kept. The file is replaced atomically (a
// temporary file in the same directory, fsync, rename, fsync of the
// directory) with mode 0600, in a directory created with mode 0700 if
// missing. An existing file that is not valid JSON is an error and is left
// as it was. A config whose "credsStore", or "credHelpers" entry for the
// registry, would make docker ignore the written login is refused too.
//
// A docker config has no room for what Store.Get returns (expiry, issue
// time, fingerprint, token ids), and docker drops unknown keys whenever it
// rewrites the file (docker login). So the metadata goes in a sidecar file
// beside it, "<config>.regmint.json" (mode 0600, no secrets), keyed by ref.
// Put writes the config first and the sidecar second, so a crash between
// them leaves the old metadata, which makes the next run mint again rather
// than trust a login that is not there. Get also checks that the config
// still holds the login the sidecar describes (registry present, same
// user): a "docker logout" or a login by hand reads as not found.
// ReadRecord returns the same with the login's password (core.RecordReader),
// for the rotation engine to check the stored login against its registry.
//
// Both files are read and written under an advisory lock (flock on
// "<config>.regmint.lock"), so concurrent Puts from several processes or
// goroutines never lose an update; waiting for the lock ends with the
// context. docker itself takes no lock: a "docker login" racing a Put may
// still overwrite it.
package file
