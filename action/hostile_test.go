package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"os"

	"sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core"
)

// hostileTCR is a loopback stand-in for the TCR API (and, on the same
// host, a registry) that answers whatever the test says: the bytes an
// attacker controlling the endpoint, or a broken gateway, would send. It
// checks no signature: what is under test is what the Action does with
// the answer.
type hostileTCR struct {
	srv *httptest.Server
	// answers maps an action (X-TC-Action) to its Response object.
	answers map[string]map[string]any
	// stream, if set, answers every API call with an endless body.
	stream  bool
	written atomic.Int64
	mu      sync.Mutex
	calls   map[string]int
	// registry answers GET /v2/ and the token realm, if set.
	registry http.HandlerFunc
}

// streamCap bounds what the endless answer sends: far more than any limit
// the Action may keep to, so that reading it whole shows in written.
const streamCap = 256 << 20

func newHostileTCR(t *testing.T) *hostileTCR {
	t.Helper()
	h := &hostileTCR{answers: map[string]map[string]any{}, calls: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileTCR) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v2/") || strings.HasPrefix(r.URL.Path, "/token") {
		if h.registry != nil {
			h.registry(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	action := r.Header.Get("X-TC-Action")
	h.mu.Lock()
	h.calls[action]++
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if h.stream {
		chunk := []byte(`{"Response":{"Username":"` + strings.Repeat("a", 64<<10))
		for h.written.Load() < streamCap {
			n, err := w.Write(chunk)
			h.written.Add(int64(n))
			if err != nil {
				return
			}
			chunk = []byte(strings.Repeat("a", 64<<10))
		}
		return
	}
	resp := map[string]any{"RequestId": "req-hostile"}
	for k, v := range h.answers[action] {
		resp[k] = v
	}
	json.NewEncoder(w).Encode(map[string]any{"Response": resp})
}

func (h *hostileTCR) callCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.calls {
		n += c
	}
	return n
}

func (h *hostileTCR) host() string { return strings.TrimPrefix(h.srv.URL, "http://") }

// inputs are a TCR step against the hostile API with access keys; the
// registry is the hostile server's own host unless overridden.
func (h *hostileTCR) inputs(t *testing.T, extra map[string]string) (map[string]string, []string) {
	secret := "sk-" + randomHex(t, 16)
	in := merge(map[string]string{
		"provider": "tcr", "region": "ap-guangzhou", "instance-id": "tcr-abcd1234",
		"registry": h.host(), "api-endpoint": h.srv.URL, "verify": "false",
		"access-key-id": "AKID" + randomHex(t, 8), "access-key-secret": secret,
	}, extra)
	return in, []string{secret}
}

// mintAnswer is a CreateInstanceToken answer with the given fields over a
// valid one.
func mintAnswer(t *testing.T, over map[string]any) (map[string]any, string) {
	pass := "tok-" + randomHex(t, 24)
	a := map[string]any{"Username": "100000000001", "Token": pass,
		"ExpTime": time.Now().Add(time.Hour).UnixMilli(), "TokenId": "0b6c5a3e-1111-2222-3333-444455556666"}
	for k, v := range over {
		a[k] = v
	}
	if p, ok := a["Token"].(string); ok {
		pass = p
	}
	return a, pass
}

// actionOutputs returns the output names action.yml declares.
func actionOutputs(t testing.TB) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Outputs map[string]any `json:"outputs"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for k := range doc.Outputs {
		out[k] = true
	}
	return out
}

// ownCommand matches the workflow commands the Action itself issues.
var ownCommand = regexp.MustCompile(`^::(add-mask|error|warning|debug|notice)::`)

// checkStreams holds a step's streams to the invariants every hostile
// answer must leave intact: outputs and state only under the names
// action.yml and the post step know, no stdout line starting with "::"
// other than the Action's own commands, none of the markers in forged
// anywhere in stdout or stderr, and no secret outside the password output.
func checkStreams(t *testing.T, res stepResult, secrets, forged []string) {
	t.Helper()
	known := actionOutputs(t)
	for name := range res.outputs {
		if !known[name] {
			t.Errorf("output %q is not one action.yml declares", name)
		}
	}
	for name := range res.state {
		if name != stateTokenID {
			t.Errorf("state %q is not the post step's", name)
		}
	}
	for _, line := range strings.Split(res.stdout, "\n") {
		if strings.HasPrefix(line, "::") && !ownCommand.MatchString(line) {
			t.Errorf("stdout line %q is a workflow command the Action did not mean", line)
		}
	}
	for _, f := range forged {
		for _, s := range []string{res.stdout, res.stderr, res.summary} {
			if strings.Contains(s, f) {
				t.Errorf("%q from the answer reached the log or summary:\n%s", f, s)
			}
		}
	}
	checkNoLeaks(t, res, secrets)
}

// Item 1 (issue 12): an API answer holding line breaks and delimiters
// cannot set an output, save state or print a workflow command.
func TestHostileAnswerCannotForgeOutputs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		over   map[string]any
		extra  map[string]string
		forged []string
	}{
		{"token id with the library's fixed delimiter",
			map[string]any{"TokenId": "tok\n_GitHubActionsFileCommandDelimeter_\nregistry<<EOF2\nevil.example.com\nEOF2"},
			map[string]string{"token-type": "longterm"}, []string{"evil.example.com"}},
		{"token id with workflow commands",
			map[string]any{"TokenId": "tok\n::stop-commands::x\n::warning::forged"},
			map[string]string{"token-type": "longterm"}, []string{"forged", "stop-commands"}},
		{"username with workflow commands",
			map[string]any{"Username": "100\n::warning::forged-user"},
			nil, []string{"forged-user"}},
		{"password with a line break and an output",
			map[string]any{"Token": "pw\nregistry<<X\nevil.example.com\nX"},
			nil, []string{"evil.example.com"}},
		{"registry host from DescribeInstances",
			nil, map[string]string{"registry": ""}, []string{"evil.example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHostileTCR(t)
			answer, pass := mintAnswer(t, c.over)
			h.answers["CreateInstanceToken"] = answer
			h.answers["DescribeInstances"] = map[string]any{"TotalCount": 1, "Registries": []map[string]any{
				{"RegistryId": "tcr-abcd1234", "PublicDomain": "reg.example.com\n::warning::evil.example.com"}}}
			in, secrets := h.inputs(t, c.extra)
			res := runStep(t, false, in, nil)
			if res.exitCode == 0 {
				t.Fatalf("the step succeeded on a hostile answer; outputs %q", res.outputs)
			}
			if len(res.outputs) != 0 || len(res.state) != 0 {
				t.Errorf("outputs %q and state %q were written from a hostile answer", res.outputs, res.state)
			}
			if !strings.Contains(res.stdout, "::error::") {
				t.Errorf("no ::error:: for the hostile answer:\n%s", res.stdout)
			}
			checkStreams(t, res, append(secrets, pass), c.forged)
		})
	}
}

// Item 1: the state file is outside data too; the post step sends and
// prints nothing but a token id.
func TestHostileStateIsNotRevokedOrPrinted(t *testing.T) {
	t.Parallel()
	h := newHostileTCR(t)
	h.answers["DeleteInstanceToken"] = map[string]any{}
	in, secrets := h.inputs(t, map[string]string{"token-type": "longterm"})
	res := runStep(t, true, in, map[string]string{"STATE_" + stateTokenID: "tok\n::stop-commands::x\n::warning::forged"})
	if res.exitCode == 0 {
		t.Errorf("the post step succeeded with a state that is no token id:\n%s", res.stdout)
	}
	if n := h.callCount(); n != 0 {
		t.Errorf("the post step made %d API calls with a state that is no token id", n)
	}
	checkStreams(t, res, secrets, []string{"forged", "stop-commands"})
}

// Item 7: a password with spaces survives into the docker-config output.
func TestDockerConfigOutputKeepsSpacesInPasswords(t *testing.T) {
	t.Parallel()
	h := newHostileTCR(t)
	answer, pass := mintAnswer(t, map[string]any{"Token": "pass word  with " + randomHex(t, 8) + " spaces"})
	h.answers["CreateInstanceToken"] = answer
	in, _ := h.inputs(t, nil)
	res := runStep(t, false, in, nil)
	if res.exitCode != 0 {
		t.Fatalf("step failed:\n%s\n%s", res.stdout, res.stderr)
	}
	if got := res.outputs[outputPassword]; got != pass {
		t.Errorf("password output differs from the token minted")
	}
	var cfg struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal([]byte(res.outputs[outputDockerConfig]), &cfg); err != nil {
		t.Fatalf("docker-config output is not JSON: %v", err)
	}
	entry := cfg.Auths[h.host()]
	if entry.Password != pass || entry.Username != "100000000001" {
		t.Errorf("docker-config entry's username and password differ from those minted")
	}
	raw, err := base64.StdEncoding.DecodeString(entry.Auth)
	if err != nil || string(raw) != "100000000001:"+pass {
		t.Errorf("docker-config auth does not decode to the user and the password minted")
	}
	if strings.Contains(res.outputs[outputDockerConfig], "\n") {
		t.Errorf("docker-config output is not one line")
	}
}

// Item 2: an endless answer ends the call with an error naming the limit,
// having read about that much.
func TestOversizedAnswerFailsTheStep(t *testing.T) {
	t.Parallel()
	h := newHostileTCR(t)
	h.stream = true
	in, secrets := h.inputs(t, nil)
	res := runStep(t, false, in, nil)
	if res.exitCode == 0 {
		t.Fatalf("the step succeeded on an endless answer")
	}
	if !strings.Contains(res.stdout, "larger than 1 MiB") {
		t.Errorf("the error does not name the limit:\n%s", res.stdout)
	}
	// Each attempt stops after 1 MiB (plus what sits in socket buffers).
	if w := h.written.Load(); w > 64<<20 {
		t.Errorf("the Action read %d MiB of an endless answer", w>>20)
	}
	checkStreams(t, res, secrets, nil)
}

// Item 8: the runner's files are checked before any network call.
func TestMissingRunnerFiles(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		env   map[string]string
		extra map[string]string
		want  string
	}{
		{"no output file", map[string]string{envOutput: ""}, nil, envOutput + " (the step's outputs) is not set"},
		{"state file missing, long-term token", map[string]string{envState: "/nonexistent/state"}, map[string]string{"token-type": "longterm"},
			envState + " (the long-term token id the post step revokes) does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHostileTCR(t)
			h.answers["CreateInstanceToken"], _ = mintAnswer(t, nil)
			in, secrets := h.inputs(t, c.extra)
			res := runStep(t, false, in, c.env)
			if res.exitCode != 1 || !strings.Contains(res.stdout, "::error::") || !strings.Contains(res.stdout, c.want) {
				t.Errorf("exit %d, want 1 and an ::error:: saying %q:\nstdout:\n%s\nstderr:\n%s", res.exitCode, c.want, res.stdout, res.stderr)
			}
			if strings.Contains(res.stderr, "panic") {
				t.Errorf("the step panicked:\n%s", res.stderr)
			}
			if n := h.callCount(); n != 0 {
				t.Errorf("%d API calls before the runner's files were found (a token minted with nothing to revoke it)", n)
			}
			checkStreams(t, res, secrets, nil)
		})
	}
	t.Run("no summary file", func(t *testing.T) {
		t.Parallel()
		h := newHostileTCR(t)
		h.answers["CreateInstanceToken"], _ = mintAnswer(t, nil)
		in, _ := h.inputs(t, nil)
		res := runStep(t, false, in, map[string]string{envSummary: ""})
		if res.exitCode != 0 {
			t.Fatalf("a missing summary file failed the step:\n%s\n%s", res.stdout, res.stderr)
		}
		if res.outputs[outputRegistry] != h.host() {
			t.Errorf("registry output %q, want %q", res.outputs[outputRegistry], h.host())
		}
		if !strings.Contains(res.stdout, "no job summary: "+envSummary) {
			t.Errorf("the step does not say the summary was skipped:\n%s", res.stdout)
		}
	})
}

// Item 4: plain http to a host name is refused before any call; the
// endpoint would receive the keys' signatures, an IAM password or an OIDC
// token in the clear. The names resolve through a loopback proxy, which
// counts what reaches it.
func TestPlainHTTPToPublicHostIsRefusedBeforeAnyCall(t *testing.T) {
	t.Parallel()
	h := newHostileTCR(t)
	h.answers["CreateInstanceToken"], _ = mintAnswer(t, nil)
	_, port, _ := strings.Cut(h.host(), ":")
	api := "http://tcr.example.com:" + port
	iam := "http://iam.example.com:" + port
	password := "pw-" + randomHex(t, 12)
	for _, c := range []struct {
		name, field string
		in          map[string]string
	}{
		{"tcr api-endpoint", "api-endpoint", map[string]string{"api-endpoint": api}},
		{"swr iam-endpoint with an IAM password", "iam-endpoint", map[string]string{
			"provider": "swr", "region": "cn-north-4", "instance-id": "", "access-key-id": "", "access-key-secret": "",
			"iam-endpoint": iam, "api-endpoint": "https://127.0.0.1:1", "iam-user": "ci", "iam-password": password, "iam-domain": "acme"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			proxy := newLoopbackProxy(t)
			env := map[string]string{"HTTP_PROXY": proxy.srv.URL, "HTTPS_PROXY": proxy.srv.URL}
			in, secrets := h.inputs(t, c.in)
			res := runStep(t, false, in, env)
			if res.exitCode != 1 || !strings.Contains(res.stdout, "::error::input "+c.field+":") || !strings.Contains(res.stdout, core.FieldInsecureEndpoints) {
				t.Errorf("exit %d, want 1 and an ::error:: on input %s naming %s:\n%s", res.exitCode, c.field, core.FieldInsecureEndpoints, res.stdout)
			}
			if n := proxy.seen("tcr.example.com") + proxy.seen("iam.example.com"); n != 0 {
				t.Errorf("%d requests went out over plain http to a public name", n)
			}
			checkStreams(t, res, append(secrets, password), nil)
		})
	}
	t.Run("insecure-endpoints true", func(t *testing.T) {
		t.Parallel()
		proxy := newLoopbackProxy(t)
		in, _ := h.inputs(t, map[string]string{"api-endpoint": api, core.FieldInsecureEndpoints: "true"})
		res := runStep(t, false, in, map[string]string{"HTTP_PROXY": proxy.srv.URL})
		if res.exitCode != 0 || proxy.seen("tcr.example.com") == 0 {
			t.Errorf("with insecure-endpoints the step did not call the endpoint (exit %d):\n%s", res.exitCode, res.stdout)
		}
	})
}

// realmServer is a token realm that records whether it was sent a login.
type realmServer struct {
	srv    *httptest.Server
	logins atomic.Int32
}

func newRealmServer(t *testing.T) *realmServer {
	r := &realmServer{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Authorization") != "" {
			r.logins.Add(1)
		}
		json.NewEncoder(w).Encode(map[string]string{"token": "registry-token"})
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// Item 5: a registry whose Bearer challenge names a realm on another host
// (here "localhost", a name go-containerregistry's IP-literal guard lets
// through) is not sent the credential unless realm-hosts allows the host.
func TestForeignRealmIsNotSentTheCredential(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name       string
		realmHosts string
		wantLogins bool
	}{
		{"realm on another host", "", false},
		{"realm host allowed", "auth.example.com, localhost", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			realm := newRealmServer(t)
			_, port, _ := strings.Cut(strings.TrimPrefix(realm.srv.URL, "http://"), ":")
			h := newHostileTCR(t)
			answer, pass := mintAnswer(t, nil)
			h.answers["CreateInstanceToken"] = answer
			h.registry = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="http://localhost:`+port+`/token",service="registry"`)
				w.WriteHeader(http.StatusUnauthorized)
			}
			in, secrets := h.inputs(t, map[string]string{"verify": "true", "realm-hosts": c.realmHosts})
			res := runStep(t, false, in, nil)
			if res.exitCode != 0 {
				t.Fatalf("step failed:\n%s\n%s", res.stdout, res.stderr)
			}
			if got := realm.logins.Load() > 0; got != c.wantLogins {
				t.Fatalf("realm sent a login: %v, want %v", got, c.wantLogins)
			}
			if !c.wantLogins {
				if !regexp.MustCompile(`(?m)^::warning::.*token realm is on host localhost.*realm-hosts`).MatchString(res.stdout) {
					t.Errorf("no warning naming the realm's host and realm-hosts:\n%s", res.stdout)
				}
				if !strings.Contains(res.summary, "unknown") {
					t.Errorf("summary does not show the check as unknown:\n%s", res.summary)
				}
			} else if !strings.Contains(res.summary, "good") {
				t.Errorf("summary does not show a good login:\n%s", res.summary)
			}
			checkStreams(t, res, append(secrets, pass), nil)
		})
	}
}
