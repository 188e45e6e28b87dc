package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/regmint/regmint/core/registrytest"
)

// floor is one bare curl process making the HTTP calls the Action makes:
// the signed CreateInstanceToken POST, GET /v2/ of the registry (answered
// 401 with a Bearer challenge) and the token realm GET with basic auth, on
// one connection per host (curl --next). The realm is asked with a
// credential minted before the run (curl cannot feed one answer into the
// next request); the emulator checks it all the same.
type floor struct {
	spawn    string
	curl     string
	world    *actionWorld
	user     string
	password string
}

// createTokenBody is the CreateInstanceToken request body for a temporary
// token.
func createTokenBody(instanceID string) []byte {
	b, _ := json.Marshal(map[string]string{"RegistryId": instanceID, "TokenType": "temp"})
	return b
}

// newFloor mints the credential the floor's realm request uses, with a
// signed request from this process.
func newFloor(ctx context.Context, spawn, curl string, w *actionWorld) (*floor, error) {
	req := signTC3(w.key, w.tcr.APIHost(), w.inst.Region, "CreateInstanceToken", createTokenBody(w.inst.ID), time.Now())
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, w.tcr.URL+"/", bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	for _, h := range req.headers {
		hr.Header.Set(h[0], h[1])
	}
	client := &http.Client{Transport: &http.Transport{}} // no proxy: loopback only
	resp, err := client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("mint the floor's credential: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Response struct {
			Username, Token string
			Error           *struct{ Code string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("mint the floor's credential: %w", err)
	}
	if out.Response.Error != nil || out.Response.Token == "" {
		return nil, fmt.Errorf("mint the floor's credential: the emulator refused the signed request (%+v)", out.Response.Error)
	}
	return &floor{spawn: spawn, curl: curl, world: w, user: out.Response.Username, password: out.Response.Token}, nil
}

// config is the curl config (read from stdin, so no secret is on the
// command line) for one run writing answers into dir; signed now.
func (f *floor) config(dir string) []byte {
	w := f.world
	req := signTC3(w.key, w.tcr.APIHost(), w.inst.Region, "CreateInstanceToken", createTokenBody(w.inst.ID), time.Now())
	var b strings.Builder
	op := func(name, url string) {
		fmt.Fprintf(&b, "url = %s\noutput = %s\nnoproxy = \"*\"\nwrite-out = \"%%{http_code}\\n\"\n",
			quote(url), quote(filepath.Join(dir, name)))
	}
	b.WriteString("silent\nshow-error\n")
	op("create.json", w.tcr.URL+"/")
	b.WriteString("request = \"POST\"\n")
	for _, h := range req.headers {
		fmt.Fprintf(&b, "header = %s\n", quote(h[0]+": "+h[1]))
	}
	fmt.Fprintf(&b, "data-binary = %s\n", quote(string(req.body)))
	b.WriteString("next\n")
	op("ping.json", w.registry.URL+"/v2/")
	b.WriteString("next\n")
	op("token.json", w.registry.URL+registrytest.TokenPath+"?service=harbor-registry")
	fmt.Fprintf(&b, "user = %s\n", quote(f.user+":"+f.password))
	return []byte(b.String())
}

// quote renders s as a double-quoted curl config value.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// run makes one floor run and checks that each call got the answer the
// Action gets: a minted token, the 401 challenge, a registry token.
func (f *floor) run(ctx context.Context) (procRun, error) {
	dir, err := os.MkdirTemp("", "regmint-bench-floor-")
	if err != nil {
		return procRun{}, err
	}
	defer os.RemoveAll(dir)
	res, err := runProc(ctx, f.spawn, f.curl, []string{"--config", "-"}, []string{"PATH=/usr/bin:/bin", "HOME=" + dir}, f.config(dir))
	if err != nil {
		return res, err
	}
	if res.exit != 0 {
		return res, fmt.Errorf("curl exited %d: %s", res.exit, tail(res.stderr, 400))
	}
	if got := strings.Fields(string(res.stdout)); strings.Join(got, " ") != "200 401 200" {
		return res, fmt.Errorf("curl got HTTP %v, want 200 401 200", got)
	}
	create, _ := os.ReadFile(filepath.Join(dir, "create.json"))
	if !bytes.Contains(create, []byte(`"Token"`)) || bytes.Contains(create, []byte(`"Error"`)) {
		return res, fmt.Errorf("CreateInstanceToken by curl did not mint: %s", tail(create, 300))
	}
	token, _ := os.ReadFile(filepath.Join(dir, "token.json"))
	if !bytes.Contains(token, []byte(`"token"`)) {
		return res, fmt.Errorf("the token realm did not answer a token to curl")
	}
	return res, nil
}

// curlVersion returns curl's first version line.
func curlVersion(ctx context.Context, curl string) string {
	out, err := exec.CommandContext(ctx, curl, "--version").Output()
	if err != nil {
		return "unknown version"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return line
}
