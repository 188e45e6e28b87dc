package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/regmint/regmint/internal/leaktest"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "regmint-action")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/regmint/regmint/action").CombinedOutput(); err != nil {
		t.Fatalf("build the action: %v\n%s", err, out)
	}
	helperDir := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(helperDir, "docker-credential-regmint"), "github.com/regmint/regmint/cmd/docker-credential-regmint").CombinedOutput(); err != nil {
		t.Fatalf("build the credential helper: %v\n%s", err, out)
	}
	var out bytes.Buffer
	var secrets leaktest.Secrets
	if err := runWith(context.Background(), &out, options{actionBinary: bin, helperDir: helperDir}, secrets.Add); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []struct {
		text string
		min  int
	}{
		{"login: good", 4 + 5},                     // TCR: 2 auths x 2 types; SWR: 5 kinds
		{"revoked; login with it now: bad", 2 + 1}, // TCR long-term x 2, SWR Enterprise long-term
		{"Huawei Cloud SWR shared edition", 1},
		{"outputs.password      = ***", 2},
		{"outputs.docker-config = ***", 2},
		{"revoked long-term token", 1},
		{"verification good", 2},
	} {
		if got := strings.Count(text, want.text); got < want.min {
			t.Errorf("demo shows %q %d times, want at least %d", want.text, got, want.min)
		}
	}
	checkRotation(t, text)
	checkKubernetes(t, text)
	checkDocSample(t, text)
	if _, err := exec.LookPath("crane"); err == nil && !strings.Contains(text, "CreateInstanceToken x1 ") {
		t.Error("the demo does not show crane served by the credential helper, minting once")
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", text)
	}
	if len(secrets.List()) == 0 {
		t.Fatal("the demo reported no secrets to check for")
	}
	leaktest.Check(t, "demo output", text, secrets.List()...)
}

// checkRotation checks the scheduled rotation part: what each of its four
// runs reports, the revocation, and what consumers read.
func checkRotation(t *testing.T, text string) {
	t.Helper()
	start := strings.Index(text, "Scheduled rotation function")
	end := strings.Index(text, "\nKubernetes (store kubernetes)")
	if start < 0 || end < start {
		t.Error("the demo shows no scheduled rotation part")
		return
	}
	runs := strings.Split(text[start:end], "\n  run ")
	if len(runs) != 5 {
		t.Errorf("the rotation part shows %d runs, want 4", len(runs)-1)
		return
	}
	for i, want := range []struct{ minted, fresh, summary string }{
		{"3", "0", "3 targets: 3 minted, 0 skipped, 0 failed"},
		{"0", "3", "3 targets: 0 minted, 3 skipped, 0 failed"},
		{"3", "0", "3 targets: 3 minted, 0 skipped, 0 failed"},
		{"3", "0", "3 targets: 3 minted, 0 skipped, 0 failed"},
	} {
		run := runs[i+1]
		if got := fmt.Sprint(strings.Count(run, "| minted ")); got != want.minted {
			t.Errorf("run %d: %s targets minted, want %s", i+1, got, want.minted)
		}
		if got := fmt.Sprint(strings.Count(run, "| fresh ")); got != want.fresh {
			t.Errorf("run %d: %s targets fresh, want %s", i+1, got, want.fresh)
		}
		if !strings.Contains(run, want.summary) {
			t.Errorf("run %d: no summary %q", i+1, want.summary)
		}
		wantRevoked := 0
		if i == 3 {
			wantRevoked = 1
		}
		if got := strings.Count(run, "revoked="); got != wantRevoked {
			t.Errorf("run %d: %d revocations shown, want %d", i+1, got, wantRevoked)
		}
	}
	for _, want := range []string{
		"reason=\"secretsmanager:tcr-temp: missing\"",
		"reason=\"secretsmanager:tcr-temp: expires in 35m, under refresh-margin 40m\"",
		"reason=\"secretsmanager:tcr-long: long-term token is 25m old, rotate-every 25m\"",
		"file:tcr-long(written)",
		"TCR now holds 2 live long-term tokens",
		"revoked in run 4: login with it now: bad",
		"value (a docker config.json and a flat record; values not shown): auths {",
		"password [", "hidden]  login: good",
	} {
		if !strings.Contains(text[start:end], want) {
			t.Errorf("the rotation part does not show %q", want)
		}
	}
	checkGitHub(t, text[start:end], runs)
	// The revoked id is the first run's long-term token.
	first := regexp.MustCompile(`minted +tcr-long .* token=(\S+)`).FindStringSubmatch(runs[1])
	revoked := regexp.MustCompile(`revoked=(\S+)`).FindStringSubmatch(runs[4])
	if first == nil || revoked == nil || first[1] != revoked[1] {
		t.Errorf("run 4 revoked %v, want the token of run 1 %v", revoked, first)
	}
}

// checkGitHub checks the rotation part's GitHub Actions destination:
// tcr-temp written to repository octo-org/app in the runs that minted it
// and found fresh in the other, the secrets the emulated GitHub decrypted
// to the minted credential, and the metadata variable's fields.
func checkGitHub(t *testing.T, part string, runs []string) {
	t.Helper()
	const dest = "github:TCR[repository octo-org/app]"
	for i, want := range []string{"written", "fresh", "written", "written"} {
		if !regexp.MustCompile(`\| \S+ +tcr-temp .*` + regexp.QuoteMeta(dest+"("+want+")")).MatchString(runs[i+1]) {
			t.Errorf("run %d: tcr-temp does not show %s(%s)", i+1, dest, want)
		}
	}
	for _, want := range []string{
		"GitHub App ", "is read from the source secret src/github",
		"repository octo-org/app, GitHub Actions secrets (values not shown): TCR_DOCKER_CONFIG, TCR_PASSWORD, TCR_REGISTRY, TCR_USERNAME\n",
		"variable TCR_REGMINT_META (an Actions variable: no secret in it)",
		"      username          100000000001\n",
		"      secrets           TCR_REGISTRY, TCR_USERNAME, TCR_PASSWORD, TCR_DOCKER_CONFIG\n",
	} {
		if !strings.Contains(part, want) {
			t.Errorf("the rotation part does not show %q", want)
		}
	}
	for _, name := range []string{"TCR_REGISTRY", "TCR_USERNAME", "TCR_PASSWORD", "TCR_DOCKER_CONFIG"} {
		if !regexp.MustCompile(`\n      ` + name + ` +decrypted by the emulated GitHub: matches the minted credential\n`).MatchString(part) {
			t.Errorf("the rotation part does not show %s decrypted to the minted credential", name)
		}
	}
	// The variable describes tcr-temp's registry.
	reg := regexp.MustCompile(`minted +tcr-temp +registry=(\S+) `).FindStringSubmatch(runs[4])
	meta := regexp.MustCompile(`\n      registry +(\S+)\n      username +\S+\n      expires_at +\S+\n      issued_at +\S+\n      fingerprint +[0-9a-f]+\n`).FindStringSubmatch(part)
	if reg == nil || meta == nil || reg[1] != meta[1] {
		t.Errorf("metadata variable %v, want tcr-temp's registry %v", meta, reg)
	}
}

// checkDocSample keeps the demo sample in docs/how-it-works.md true to the
// real output: the same sections (the lines that start a provider, the
// rotation or the Action) in the same order.
func checkDocSample(t *testing.T, text string) {
	t.Helper()
	doc, err := os.ReadFile("../../docs/how-it-works.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## The demo")
	if !ok {
		t.Fatal("docs/how-it-works.md has no demo section")
	}
	_, after, _ = strings.Cut(after, "```\n")
	sample, _, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatal("the demo section has no sample block")
	}
	headers := func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l != "" && l[0] != ' ' && !strings.HasPrefix(l, "regmint demo:") && !strings.HasPrefix(l, "signatures like") {
				title, _, _ := strings.Cut(l, ":")
				title, _, _ = strings.Cut(title, " (")
				out = append(out, title)
			}
		}
		return out
	}
	if got, want := headers(sample), headers(text); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("docs/how-it-works.md's demo sample shows the sections\n  %s\nthe demo prints\n  %s",
			strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// checkKubernetes checks the Kubernetes part: both targets minted into the
// cluster and then fresh, each listed namespace's pull secret holding both
// registries' logins that the registries accept, its service account
// naming it, and nothing in the namespace not listed.
func checkKubernetes(t *testing.T, text string) {
	t.Helper()
	start := strings.Index(text, "\nKubernetes (store kubernetes)")
	end := strings.Index(text, "GitHub Action, run as the runner")
	if start < 0 || end < start {
		t.Error("the demo shows no Kubernetes part before the Action")
		return
	}
	part := text[start:end]
	passes := strings.Split(part, "\n  pass ")
	if len(passes) != 3 {
		t.Errorf("the Kubernetes part shows %d passes, want 2", len(passes)-1)
		return
	}
	for i, want := range []struct{ outcome, summary, dest string }{
		{"| minted ", "2 targets: 2 minted, 0 skipped, 0 failed", "kubernetes:%s[secret pull in namespaces apps,web](written)"},
		{"| fresh ", "2 targets: 0 minted, 2 skipped, 0 failed", "kubernetes:%s[secret pull in namespaces apps,web](fresh)"},
	} {
		pass := passes[i+1]
		if got := strings.Count(pass, want.outcome); got != 2 {
			t.Errorf("pass %d: %d targets %q, want 2", i+1, got, want.outcome)
		}
		if !strings.Contains(pass, want.summary) {
			t.Errorf("pass %d: no summary %q", i+1, want.summary)
		}
		for _, tg := range []string{"tcr", "swr"} {
			if !strings.Contains(pass, fmt.Sprintf(want.dest, tg)) {
				t.Errorf("pass %d: %s does not show %s", i+1, tg, fmt.Sprintf(want.dest, tg))
			}
		}
	}
	login := `      \S+  user \S+  password \[\d+ chars, hidden\]  auth \[\d+ chars, hidden\]  login: good\n`
	for _, ns := range []string{"apps", "web"} {
		re := regexp.MustCompile(`\n    secret ` + ns + `/pull  type kubernetes.io/dockerconfigjson  labels app.kubernetes.io/managed-by=regmint  annotations part.regmint.io/swr, part.regmint.io/tcr\n` +
			login + login + `    serviceaccount ` + ns + `/default  imagePullSecrets \[pull\]\n`)
		if !re.MatchString(part) {
			t.Errorf("the Kubernetes part does not show %s's pull secret with two logins the registries accept and its service account", ns)
		}
	}
	if !strings.Contains(part, "namespace batch: no pull secret (not listed)") {
		t.Error("the Kubernetes part does not show the namespace not listed")
	}
}
