package core_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/cli/cli/config/configfile"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/internal/leaktest"
)

// FuzzMergeDockerConfig merges credentials into arbitrary documents.
//
// Invariants, when the existing document is empty or a JSON object whose
// "auths" is absent, null or an object, and the credentials are complete:
//   - the output is one JSON object ending in a newline;
//   - every top-level key but "auths" (credHelpers, credsStore, unknown
//     ones) decodes as it did, and no key is added but "auths";
//   - every existing "auths" entry of a registry not written decodes as it
//     did; each written registry's entry decodes to the credential, with
//     "auth" base64 of user:password, and docker's own parser reads the
//     credential back from it;
//   - merging the same credentials again changes nothing.
//
// Otherwise: an error, no output, and the error holds no password.
func FuzzMergeDockerConfig(f *testing.F) {
	for _, s := range []struct {
		existing                 string
		registry, user, password string
		registry2                string
	}{
		{"", "demo.tencentcloudcr.com", "100012345678", "pw-0123456789", ""},
		{`{"auths":{"ghcr.io":{"auth":"Z2g6dG9rZW4="},"demo.tencentcloudcr.com":{"auth":"b2xkOm9sZA==","email":"x@example.com"}},
			"credHelpers":{"123.dkr.ecr.us-east-1.amazonaws.com":"ecr-login"},"credsStore":"desktop","experimental":"enabled"}`,
			"demo.tencentcloudcr.com", "new", "pw-0123456789", "127.0.0.1:5000"},
		{`{"auths":null}`, "reg.example.com", "u", "p:with:colons", "reg.example.com"},
		{"null", "reg.example.com", "u", "p", ""},
		{`{"auths":[]}`, "reg.example.com", "u", "p", ""},
		{`{"auths":"x"}`, "reg.example.com", "u", "p", ""},
		{`[]`, "reg.example.com", "u", "p", ""},
		{`{"auths":{}} trailing`, "reg.example.com", "u", "p", ""},
		{`{"a":1e400,"b":123456789012345678901234567890,"c":"\u0000\ud800","auths":{"x":{"auth":null}}}`, "x", "u", "p", ""},
		{`{"auths":{"r":{"auth":"AAAA"}},"auths":{"s":{}}}`, "r", "u", "p", ""},
		{`{"auths":{"r":1,"r":2}}`, "r", "u", "p", "s"},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "r", "u", "p", ""},
		{`{"deep":` + strings.Repeat(`{"a":`, 500) + "1" + strings.Repeat("}", 500) + `}`, "r", "u", "p", ""},
		{"{\"\xff\":1,\"auths\":{\"\xfe\":{}}}", "r\xff", "u\x00", "p\xfe", ""},
		{"", "", "", "", ""},
		{"", "r", "user:with:colon", "p", ""},
		{"", "r", "u", "\x00p\x00", ""},
		{`{"auths":{"日本.example":{"auth":"dTpw"}}}`, "日本.example", "ユーザー", "パスワード", ""},
	} {
		f.Add([]byte(s.existing), s.registry, s.user, s.password, s.registry2)
	}
	f.Fuzz(func(t *testing.T, existing []byte, registry, user, password, registry2 string) {
		creds := []core.Credential{{Registry: registry, Username: user, Password: password}}
		if registry2 != "" {
			creds = append(creds, core.Credential{Registry: registry2, Username: "second", Password: leaktest.Random(t)})
		}
		out, err := core.MergeDockerConfig(existing, creds...)
		old, oldOK := fuzzDockerDoc(existing)
		if err != nil {
			if out != nil {
				t.Errorf("error %v with output", err)
			}
			fuzzCheckMergeErrorNoSecret(t, existing, creds)
			if oldOK && fuzzCredsOK(creds) {
				t.Fatalf("valid document and credentials refused: %v", err)
			}
			return
		}
		if !oldOK {
			t.Fatalf("a document that is not a JSON object with an auths object was merged into:\n%q", existing)
		}
		if !fuzzCredsOK(creds) {
			t.Fatalf("incomplete credentials merged: %q", creds)
		}
		if !bytes.HasSuffix(out, []byte("\n")) || !json.Valid(out) {
			t.Fatalf("output is not JSON ending in a newline: %q", out)
		}
		got, ok := fuzzDockerDoc(out)
		if !ok {
			t.Fatalf("output is not a docker config: %q", out)
		}
		for k, v := range old.top {
			if k != "auths" && !reflect.DeepEqual(v, got.top[k]) {
				t.Errorf("key %q changed: %v -> %v", k, v, got.top[k])
			}
		}
		for k := range got.top {
			if _, had := old.top[k]; !had && k != "auths" {
				t.Errorf("key %q added", k)
			}
		}
		written := map[string]core.Credential{}
		for _, c := range creds {
			written[c.Registry] = c
		}
		for k, v := range old.auths {
			if _, w := written[k]; !w && !reflect.DeepEqual(v, got.auths[k]) {
				t.Errorf("auths entry %q changed: %v -> %v", k, v, got.auths[k])
			}
		}
		if len(got.auths) != len(old.auths)+fuzzNew(old.auths, written) {
			t.Errorf("auths has %d entries, want %d old and %d new", len(got.auths), len(old.auths), fuzzNew(old.auths, written))
		}
		for reg, c := range written {
			want := map[string]any{"username": c.Username, "password": c.Password,
				"auth": base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))}
			if e := got.auths[reg]; !reflect.DeepEqual(e, want) {
				t.Errorf("auths[%q] = %v, want the credential", reg, e)
			}
		}
		fuzzCheckDockerReads(t, existing, out, written)
		again, err := core.MergeDockerConfig(out, creds...)
		if err != nil || !bytes.Equal(again, out) {
			t.Errorf("merging again changed the document (%v):\n%s\n%s", err, out, again)
		}
	})
}

// fuzzDoc is a docker config decoded as data: every top-level value and
// every auths entry.
type fuzzDoc struct {
	top   map[string]any
	auths map[string]any
}

// fuzzDockerDoc decodes a docker config; ok is false unless it is empty or
// a JSON object (or null) whose auths is absent, null or an object.
func fuzzDockerDoc(b []byte) (fuzzDoc, bool) {
	d := fuzzDoc{top: map[string]any{}, auths: map[string]any{}}
	if len(bytes.TrimSpace(b)) == 0 {
		return d, true
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(b, &raw) != nil {
		return d, false
	}
	for k, v := range raw {
		d.top[k] = fuzzDecode(v)
	}
	if a, ok := raw["auths"]; ok && string(bytes.TrimSpace(a)) != "null" {
		var auths map[string]json.RawMessage
		if json.Unmarshal(a, &auths) != nil {
			return d, false
		}
		for k, v := range auths {
			d.auths[k] = fuzzDecode(v)
		}
	}
	return d, true
}

func fuzzDecode(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err.Error()
	}
	return v
}

// fuzzCredsOK reports whether every credential passes Check.
func fuzzCredsOK(creds []core.Credential) bool {
	for _, c := range creds {
		if c.Check() != nil {
			return false
		}
	}
	return true
}

func fuzzNew(old map[string]any, written map[string]core.Credential) int {
	n := 0
	for k := range written {
		if _, had := old[k]; !had {
			n++
		}
	}
	return n
}

// fuzzCheckDockerReads checks that docker's parser reads each credential
// from the output, when it could read the existing document.
func fuzzCheckDockerReads(t *testing.T, existing, out []byte, written map[string]core.Credential) {
	t.Helper()
	if len(bytes.TrimSpace(existing)) > 0 && configfile.New("").LoadFromReader(bytes.NewReader(existing)) != nil {
		return // docker cannot read it either: nothing to compare with
	}
	cf := configfile.New("")
	if err := cf.LoadFromReader(bytes.NewReader(out)); err != nil {
		t.Fatalf("docker cannot read the merged config: %v", err)
	}
	for reg, c := range written {
		got := cf.AuthConfigs[reg]
		if got.Username != c.Username || got.Password != c.Password {
			t.Errorf("docker reads %q as user %q (password match %v)", reg, got.Username, got.Password == c.Password)
		}
	}
}

// fuzzCheckMergeErrorNoSecret checks that the error holds no password: it
// merges again with fresh random passwords and looks for them.
func fuzzCheckMergeErrorNoSecret(t *testing.T, existing []byte, creds []core.Credential) {
	t.Helper()
	var secrets []string
	fresh := make([]core.Credential, len(creds))
	for i, c := range creds {
		fresh[i] = c
		if c.Password != "" {
			fresh[i].Password = leaktest.Random(t)
			secrets = append(secrets, fresh[i].Secrets()...)
		}
	}
	if _, err := core.MergeDockerConfig(existing, fresh...); err != nil {
		leaktest.Check(t, "MergeDockerConfig error", err.Error(), secrets...)
	}
}

// fuzzRegistryHost is the registry the verifier checks; the in-memory
// transport answers for it and for every other host, and dials nothing.
const fuzzRegistryHost = "registry.test"

// fuzzRegistry is an in-memory registry and token realm whose answers the
// fuzzer chooses. It records every request.
type fuzzRegistry struct {
	pingStatus, authStatus, realmStatus int
	challenge, authChallenge            string
	realmBody                           []byte
	realmLocation                       string
	echo, down                          bool
	password                            string

	mu   sync.Mutex
	seen []fuzzRequest
}

type fuzzRequest struct {
	url, host, authorization string
	status                   int
}

func (r *fuzzRegistry) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	authz := req.Header.Get("Authorization")
	h := http.Header{}
	var status int
	var body []byte
	switch {
	case req.URL.Host == fuzzRegistryHost && req.URL.Path == "/v2/":
		if r.down {
			return nil, &url.Error{Op: req.Method, URL: req.URL.String(), Err: errors.New("connection refused")}
		}
		status = r.pingStatus
		challenge := r.challenge
		if authz != "" {
			status, challenge = r.authStatus, r.authChallenge
		}
		for _, c := range strings.Split(challenge, "\n") {
			if c != "" {
				h.Add("WWW-Authenticate", c)
			}
		}
	default: // the realm, or wherever the challenge or a redirect points
		status, body = r.realmStatus, append([]byte(nil), r.realmBody...)
		if r.echo {
			body = append(body, " "+authz+" "+r.password...)
		}
		if r.realmLocation != "" {
			h.Set("Location", r.realmLocation)
		}
		h.Set("Content-Type", "application/json")
	}
	r.mu.Lock()
	r.seen = append(r.seen, fuzzRequest{url: req.URL.String(), host: req.URL.Host, authorization: authz, status: status})
	r.mu.Unlock()
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}, nil
}

// fuzzStatus maps any int to an HTTP status: 100 to 599 as they are,
// others into that range.
func fuzzStatus(n int) int {
	if n >= 100 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	return 100 + n%500
}

// FuzzVerify serves arbitrary challenges, statuses and token answers to
// the verifier.
//
// Invariants:
//   - the result is good, bad or unknown;
//   - bad only when a request carrying the credentials (Basic, or the
//     Bearer token they bought) was answered 401 or 403, and good only when
//     one was answered 2xx: a malformed or unsupported challenge, or a ping
//     answered other than 401, gives unknown and sends no credentials;
//   - the credentials go only to the registry host and to the realm hosts
//     the challenge names (never to where a redirect points elsewhere);
//   - neither the password nor the base64 auth string appears in the
//     result, even when the realm echoes them.
func FuzzVerify(f *testing.F) {
	bearer := `Bearer realm="https://` + fuzzRegistryHost + `/service/token",service="harbor-registry"`
	for _, s := range []struct {
		challenge         string
		ping, auth, realm int
		authChallenge     string
		body              string
		location          string
		echo, down        bool
	}{
		{bearer, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{bearer, 401, 200, 401, "", `{"errors":[{"code":"UNAUTHORIZED"}]}`, "", true, false},
		{bearer, 401, 200, 200, "", `{"access_token":"t","expires_in":300}`, "", false, false},
		{bearer, 401, 200, 200, "", `{}`, "", true, false},
		{bearer, 401, 200, 200, "", `not json`, "", true, false},
		{bearer, 401, 200, 302, "", ``, "https://elsewhere.test/steal", false, false},
		{bearer, 401, 200, 302, "", ``, "https://" + fuzzRegistryHost + "/service/token2", false, false},
		{bearer, 401, 200, 503, "", `<html>down</html>`, "", false, false},
		{`Bearer realm="https://auth.test/token",service="svc",scope="repository:a/b:pull"`, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{`Bearer realm="http://auth.test/token"`, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{`Bearer realm="https://127.0.0.1:1/token"`, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{`Bearer service="no-realm"`, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{`Bearer`, 401, 200, 200, "", ``, "", false, false},
		{`Basic realm="Registry"`, 401, 200, 200, "", ``, "", false, false},
		{`Basic realm="Registry"`, 401, 401, 200, `Basic realm="Registry"`, ``, "", false, false},
		{`Basic realm="Registry"`, 401, 403, 200, "", ``, "", false, false},
		{`Basic realm="Registry"`, 401, 500, 200, "", ``, "", false, false},
		{`Basic realm="Registry"`, 401, 401, 401, bearer, `{}`, "", false, false},
		{`Negotiate`, 401, 200, 200, "", ``, "", false, false},
		{"Negotiate\n" + bearer, 401, 200, 200, "", `{"token":"t"}`, "", false, false},
		{`Digest realm="x", nonce="y"`, 401, 401, 401, "", ``, "", false, false},
		{``, 401, 200, 200, "", ``, "", false, false},
		{`,,,=,"`, 401, 401, 401, "", ``, "", false, false},
		{"Bearer realm=\"https://a.test/\\\"x\"", 401, 401, 401, "", ``, "", false, false},
		{bearer, 200, 200, 200, "", ``, "", false, false},
		{bearer, 403, 403, 403, "", ``, "", false, false},
		{bearer, 500, 200, 200, "", ``, "", false, false},
		{bearer, 301, 200, 200, "", ``, "", false, false},
		{bearer, 401, 200, 200, "", ``, "", false, true},
		{"Bearer realm=\"https://" + fuzzRegistryHost + "/t\x00\",service=\"\u00e9\"", 401, 200, 200, "", `{"token":"\u0000"}`, "", false, false},
	} {
		f.Add(s.challenge, s.ping, s.auth, s.realm, s.authChallenge, []byte(s.body), s.location, s.echo, s.down)
	}
	f.Fuzz(func(t *testing.T, challenge string, ping, auth, realm int, authChallenge string, body []byte, location string, echo, down bool) {
		cred := core.Credential{Registry: fuzzRegistryHost, Username: "ci-user", Password: leaktest.Random(t)}
		reg := &fuzzRegistry{
			pingStatus: fuzzStatus(ping), authStatus: fuzzStatus(auth), realmStatus: fuzzStatus(realm),
			challenge: challenge, authChallenge: authChallenge, realmBody: body, realmLocation: location,
			echo: echo, down: down, password: cred.Password,
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v := core.Verifier{Transport: reg, Timeout: 5 * time.Second}.Verify(ctx, cred)

		switch v.Result {
		case core.VerifyGood, core.VerifyBad, core.VerifyUnknown:
		default:
			t.Fatalf("result %v", v.Result)
		}
		leaktest.Check(t, "verification", v.String()+" "+v.Scheme, cred.Secrets()...)

		allowed := map[string]bool{fuzzRegistryHost: true}
		for _, h := range fuzzRealmHosts(challenge) {
			allowed[h] = true
		}
		basic := "Basic " + core.DockerAuth(cred.Username, cred.Password)
		carried, refused, accepted := false, false, false
		reg.mu.Lock()
		seen := append([]fuzzRequest(nil), reg.seen...)
		reg.mu.Unlock()
		for _, r := range seen {
			withCreds := r.authorization == basic || strings.Contains(r.authorization, cred.Password)
			if withCreds && !allowed[r.host] {
				t.Errorf("credentials sent to %s (%s); the challenge names %v", r.host, r.url, allowed)
			}
			if !withCreds && !strings.HasPrefix(r.authorization, "Bearer ") {
				continue
			}
			carried = true
			refused = refused || r.status == http.StatusUnauthorized || r.status == http.StatusForbidden
			accepted = accepted || (r.status >= 200 && r.status < 300)
		}
		if v.Result == core.VerifyBad && !refused {
			t.Errorf("bad, but no request with the credentials was refused: %v; requests %+v", v, seen)
		}
		if v.Result == core.VerifyGood && !accepted {
			t.Errorf("good, but no request with the credentials was accepted: %v; requests %+v", v, seen)
		}
		if s := v.Scheme; (s != "basic" && s != "bearer") || down || fuzzStatus(ping) != http.StatusUnauthorized {
			if v.Result != core.VerifyUnknown || carried {
				t.Errorf("challenge %q (ping %d, down %v): %v with credentials sent %v", challenge, fuzzStatus(ping), down, v, carried)
			}
		}
	})
}

// fuzzRealmHosts returns the hosts of every realm parameter in a
// challenge, read loosely (quoted or not, escapes removed or kept), so that
// it finds at least what a strict parser finds.
func fuzzRealmHosts(challenge string) []string {
	var hosts []string
	// Not strings.ToLower: it changes the length of invalid UTF-8, and
	// the indexes would not fit the challenge (testdata/fuzz/FuzzVerify
	// keeps the input that showed it).
	for i := 0; i+len("realm") <= len(challenge); i++ {
		if !strings.EqualFold(challenge[i:i+len("realm")], "realm") {
			continue
		}
		rest := strings.TrimLeft(challenge[i+len("realm"):], " \t")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t")
		var vals []string
		if strings.HasPrefix(rest, `"`) {
			var raw, unescaped strings.Builder
			for k := 1; k < len(rest) && rest[k] != '"'; k++ {
				if rest[k] == '\\' && k+1 < len(rest) {
					raw.WriteByte(rest[k])
					k++
				}
				raw.WriteByte(rest[k])
				unescaped.WriteByte(rest[k])
			}
			vals = []string{raw.String(), unescaped.String()}
		} else {
			end := strings.IndexAny(rest, ", \t\n")
			if end < 0 {
				end = len(rest)
			}
			vals = []string{rest[:end]}
		}
		for _, v := range vals {
			if u, err := url.Parse(v); err == nil {
				hosts = append(hosts, u.Host)
			}
		}
	}
	return hosts
}
