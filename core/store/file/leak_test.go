package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
)

// TestNoSecretLeaks collects every error the store gives in its failure
// paths, and the sidecar, and checks them for the passwords and auth
// strings of the credentials involved and of the logins already in the
// config.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var secrets leaktest.Secrets
	var out strings.Builder
	show := func(err error) {
		if err != nil {
			fmt.Fprintf(&out, "%v\n%+v\n%#v\n", err, err, err)
		}
	}
	r := storetest.Record("leak.example.com", "pw-file-leak-000001")
	secrets.Add(r.Credential.Secrets()...)
	const other = "b3RoZXItdXNlcjpvdGhlci1wYXNzd29yZC0x" // other-user:other-password-1
	secrets.Add(other, "other-password-1")

	scenarios := []struct {
		name   string
		config string
		hook   func(string) error
	}{
		{"ok", `{"auths":{"o.example.com":{"auth":"` + other + `"}}}`, nil},
		{"malformed", `{"auths":{"o.example.com":{"auth":"` + other + `"}`, nil},
		{"auth not an object", `{"auths":{"o.example.com":"` + other + `"}}`, nil},
		{"shadowed", `{"auths":{"o.example.com":{"auth":"` + other + `"}},"credsStore":"desktop"}`, nil},
		{"write fails", `{"auths":{"o.example.com":{"auth":"` + other + `"}}}`, func(string) error { return errors.New("injected") }},
	}
	for _, sc := range scenarios {
		s := newStore(t)
		writeFile(t, s.Path(), sc.config, 0o600)
		file.SetBeforeRename(s, sc.hook)
		show(s.Put(ctx, "leak", r))
		_, err := s.Get(ctx, "leak")
		show(err)
		if b, err := os.ReadFile(s.MetadataPath()); err == nil {
			leaktest.Check(t, sc.name+": sidecar", string(b), secrets.List()...)
		}
	}
	if out.Len() == 0 {
		t.Fatal("no errors were produced")
	}
	leaktest.Check(t, "errors", out.String(), secrets.List()...)
}
