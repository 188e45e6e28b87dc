package credhelper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/credhelper"
	"github.com/regmint/regmint/internal/leaktest"
)

// run runs one helper command with the world's environment and a config
// file holding doc.
func (w *world) run(t *testing.T, home, doc, action, stdin string) (code int, stdout, stderr string) {
	t.Helper()
	cfgPath := filepath.Join(home, "helper.yaml")
	if err := os.WriteFile(cfgPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{credhelper.EnvConfig: cfgPath, "XDG_CACHE_HOME": filepath.Join(home, "cache")}
	for k, v := range w.env {
		env[k] = v
	}
	var out, errb bytes.Buffer
	code = credhelper.ServeDocker(context.Background(), credhelper.Process{
		Args: []string{action}, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }, Version: "v9.9.9",
		Env: core.Env{Transport: w.srv.Transport()},
	})
	return code, out.String(), errb.String()
}

func TestDockerProtocol(t *testing.T) {
	w := newWorld(t)
	home := t.TempDir()
	doc := w.doc("")

	code, out, errs := w.run(t, home, doc, "get", w.inst.Registry+"\n")
	if code != 0 || errs != "" {
		t.Fatalf("get: exit %d, stderr %q", code, errs)
	}
	var c credentials.Credentials
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		t.Fatalf("get answered %q, not one credentials object: %v", out, err)
	}
	if c.ServerURL != w.inst.Registry || c.Username != w.srv.UIN {
		t.Errorf("get answered %+v", c)
	}
	if _, ok := w.srv.LookupToken(c.Secret); !ok {
		t.Error("the secret served is not a token the emulator minted")
	}

	code, out, _ = w.run(t, home, doc, "list", "")
	var list map[string]string
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || list[w.inst.Registry] != w.srv.UIN {
		t.Errorf("list: exit %d, %q", code, out)
	}

	code, out, errs = w.run(t, home, doc, "get", "ghcr.io\n")
	if code != 1 || !credentials.IsErrCredentialsNotFoundMessage(strings.TrimSpace(out)) || errs != "" {
		t.Errorf("get of an unknown host: exit %d, stdout %q, stderr %q; want the protocol's not-found", code, out, errs)
	}

	if code, out, _ := w.run(t, home, doc, "store", `{"ServerURL":"x","Username":"u","Secret":"s"}`); code != 0 || out != "" {
		t.Errorf("store: exit %d, %q; want success and nothing", code, out)
	}
	if code, out, _ := w.run(t, home, doc, "erase", w.inst.Registry); code != 0 || out != "" {
		t.Errorf("erase: exit %d, %q", code, out)
	}
	mints := w.srv.Calls("CreateInstanceToken")
	w.run(t, home, doc, "get", w.inst.Registry)
	if w.srv.Calls("CreateInstanceToken") != mints+1 {
		t.Error("get after erase did not mint")
	}
	for _, v := range []string{"version", "-version", "--version"} {
		if code, out, _ := w.run(t, home, doc, v, ""); code != 0 || out != "docker-credential-regmint v9.9.9\n" {
			t.Errorf("%s: exit %d, %q", v, code, out)
		}
	}
}

func TestDockerProtocolErrors(t *testing.T) {
	w := newWorld(t)
	home := t.TempDir()
	w.srv.RemoveKey(w.key.ID)
	code, out, errs := w.run(t, home, w.doc(w.inst.Registry), "get", w.inst.Registry)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "docker-credential-regmint: ") || !strings.Contains(errs, "hint: ") {
		t.Errorf("stderr %q: want one line with a hint", errs)
	}
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, "AuthFailure") {
		t.Errorf("stdout %q: want the protocol's one-line error", out)
	}
	leaktest.Check(t, "output", out+errs, append(w.srv.Secrets(), w.key.Secret)...)

	code, out, errs = w.run(t, home, "targets:\n- {name: a, provider: tcr, region: ap-guangzhou}", "get", w.inst.Registry)
	if code != 1 || !strings.Contains(errs, `target "a" (targets[0]): instance-id: is required`) || strings.Count(errs, "\n") != 1 {
		t.Errorf("bad config: exit %d, stderr %q; want one line naming the field", code, errs)
	}
	if strings.HasPrefix(out, "{") {
		t.Errorf("stdout %q", out)
	}
}
