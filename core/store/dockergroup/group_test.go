package dockergroup_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/dockergroup"
	"github.com/regmint/regmint/internal/leaktest"
)

func record(t *testing.T, host string) core.Record {
	return core.Record{
		Credential: core.Credential{Registry: host, Username: "u-" + host, Password: "pw-" + leaktest.Random(t), ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), TokenID: "tok-" + host},
		IssuedAt:   time.Date(2030, 1, 2, 2, 4, 5, 0, time.UTC), Fingerprint: "fp",
	}
}

// TestDocumentRoundTrip: a group document is a docker config.json (the
// auths docker reads) and gives each part back, password included.
func TestDocumentRoundTrip(t *testing.T) {
	for _, compact := range []bool{false, true} {
		var opts []dockergroup.Option
		if compact {
			opts = append(opts, dockergroup.Compact())
		}
		g := dockergroup.New(opts...)
		a, b := record(t, "a.example.com"), record(t, "b.example.com")
		if err := g.Set("ta", a, nil); err != nil {
			t.Fatal(err)
		}
		if err := g.Set("tb", b, nil); err != nil {
			t.Fatal(err)
		}
		raw, err := g.Document()
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Auths map[string]core.AuthEntry `json:"auths"`
		}
		if err := json.Unmarshal(raw, &cfg); err != nil || cfg.Auths["a.example.com"].Auth != core.DockerAuth(a.Credential.Username, a.Credential.Password) {
			t.Fatalf("compact %t: the document is not a docker config with a's login: %v", compact, err)
		}
		if compact != (cfg.Auths["a.example.com"].Password == "") {
			t.Errorf("compact %t: password field set: %t", compact, cfg.Auths["a.example.com"].Password != "")
		}
		back, err := dockergroup.Decode(raw, "doc")
		if err != nil {
			t.Fatal(err)
		}
		if !back.Equal(g) {
			t.Error("decoded group differs")
		}
		for ref, want := range map[string]core.Record{"ta": a, "tb": b} {
			got, err := back.Record(ref, "doc")
			if err != nil || got == nil || got.Credential.Password != want.Credential.Password || !got.Credential.ExpiresAt.Equal(want.Credential.ExpiresAt) || got.Credential.TokenID != want.Credential.TokenID {
				t.Errorf("compact %t: %s: %+v, %v", compact, ref, got != nil, err)
			}
		}
		if got, err := back.Record("none", "doc"); got != nil || err != nil {
			t.Errorf("a missing part: %v, %v", got, err)
		}
		raw2, _ := back.Document()
		if string(raw2) != string(raw) {
			t.Error("the same group renders to other bytes")
		}
	}
}

// TestOneLoginPerHost: two refs may not hold one registry host; delete-
// stale's keep lets a part of an unlisted ref go, and its host with it.
func TestOneLoginPerHost(t *testing.T) {
	g := dockergroup.New()
	if err := g.Set("t0", record(t, "r.example.com"), nil); err != nil {
		t.Fatal(err)
	}
	err := g.Set("t1", record(t, "r.example.com"), nil)
	if err == nil || !strings.Contains(err.Error(), "already held by ref t0") || !strings.Contains(err.Error(), "secret-name") {
		t.Fatalf("a second part for the same host: %v", err)
	}
	if err := g.Set("t1", record(t, "r.example.com"), func(ref string) bool { return ref == "t1" }); err != nil {
		t.Fatalf("with t0 no longer kept: %v", err)
	}
	if refs := g.Refs(); len(refs) != 1 || refs[0] != "t1" {
		t.Errorf("refs %v, want [t1]", refs)
	}
	// Moving a ref to another host drops its old auths entry.
	if err := g.Set("t1", record(t, "s.example.com"), nil); err != nil {
		t.Fatal(err)
	}
	raw, _ := g.AuthsJSON()
	if strings.Contains(string(raw), "r.example.com") {
		t.Error("the old host's login stayed")
	}
	g.Drop("t1")
	if raw, _ := g.AuthsJSON(); string(raw) != `{"auths":{}}` {
		t.Errorf("after dropping the last part: %s", raw)
	}
}

// TestDecodeUntrusted: what is not a group document, too large, or
// inconsistent is refused with an error that names it and never quotes it.
func TestDecodeUntrusted(t *testing.T) {
	secret := leaktest.Random(t)
	for name, doc := range map[string]string{
		"not json":           "x" + secret,
		"foreign config":     `{"auths":{"r.example.com":{"auth":"` + secret + `"}}}`,
		"other kind":         `{"registry":"r","username":"u","password":"` + secret + `"}`,
		"array":              `["` + secret + `"]`,
		"parts not object":   `{"regmint":{"parts":"` + secret + `"}}`,
		"meta not object":    `{"auths":{},"regmint":{"parts":{"t":"` + secret + `"}}}`,
		"auths not object":   `{"auths":"` + secret + `","regmint":{"parts":{}}}`,
		"meta too large":     `{"auths":{},"regmint":{"parts":{"t":{"registry":"` + strings.Repeat("a", dockergroup.MaxMeta) + secret + `"}}}}`,
		"document too large": `{"auths":{},"x":"` + strings.Repeat("a", dockergroup.MaxDocument) + secret + `"}`,
	} {
		_, err := dockergroup.Decode([]byte(doc), "secret s")
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(err.Error(), "secret s") {
			t.Errorf("%s: %v does not name the secret", name, err)
		}
		leaktest.Check(t, name, err.Error(), secret)
		notGroup := map[string]bool{"not json": true, "foreign config": true, "other kind": true, "array": true, "parts not object": true}
		if notGroup[name] != errors.Is(err, dockergroup.ErrNotGroup) {
			t.Errorf("%s: %v: ErrNotGroup %t", name, err, errors.Is(err, dockergroup.ErrNotGroup))
		}
	}
	// A part whose login is missing or for another user is an error.
	for name, doc := range map[string]string{
		"no auths entry": `{"auths":{},"regmint":{"parts":{"t":{"registry":"r.example.com","username":"u"}}}}`,
		"other user":     `{"auths":{"r.example.com":{"auth":"` + core.DockerAuth("v", secret) + `"}},"regmint":{"parts":{"t":{"registry":"r.example.com","username":"u"}}}}`,
		"bad base64":     `{"auths":{"r.example.com":{"auth":"%%` + secret + `"}},"regmint":{"parts":{"t":{"registry":"r.example.com","username":"u"}}}}`,
	} {
		g, err := dockergroup.Decode([]byte(doc), "secret s")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = g.Record("t", "secret s")
		if err == nil || !strings.Contains(err.Error(), "secret s") || !strings.Contains(err.Error(), "r.example.com") {
			t.Errorf("%s: %v", name, err)
		} else {
			leaktest.Check(t, name, err.Error(), secret)
		}
	}
}
