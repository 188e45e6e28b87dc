package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// binary is regmint-rotate as the rotator image holds it (no lambda tag:
// client-go linked), built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "regmint-rotate-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "regmint-rotate")
	build := exec.Command("go", "build", "-trimpath", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build regmint-rotate: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	tcrRegion = "ap-guangzhou"
	swrRegion = "cn-north-4"
)

// report is the JSON report line of -report json.
type report struct {
	Msg     string `json:"msg"`
	Targets int    `json:"targets"`
	Failed  int    `json:"failed"`
	Results []struct {
		Target, Outcome, Reason string
	} `json:"results"`
}

// run runs the binary with exactly env (and PATH) and returns its exit
// status, stderr and the report parsed from stderr's last line.
func run(t *testing.T, args []string, env map[string]string) (int, string, report) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run regmint-rotate: %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing with -report json", stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	for _, l := range lines {
		if !json.Valid([]byte(l)) {
			t.Errorf("stderr line is not JSON: %q", l)
		}
	}
	var rep report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.Msg != "report" {
		t.Fatalf("last stderr line is not the report: %q (%v)\nexit %d\n%s", lines[len(lines)-1], err, code, stderr.String())
	}
	return code, stderr.String(), rep
}

func outcomes(rep report) map[string]string {
	out := map[string]string{}
	for _, r := range rep.Results {
		out[r.Target] = r.Outcome
	}
	return out
}

// TestCronJobRunIntoCluster runs the rotator as its CronJob does (-report
// json) against an emulated cluster reached through $KUBECONFIG and the
// emulated clouds: two targets' registries grouped in one pull secret in
// two namespaces, the namespaces' default service account naming it. The
// first run mints and writes both logins, which the registries accept;
// the second finds them fresh and mints nothing.
func TestCronJobRunIntoCluster(t *testing.T) {
	api := kubetest.New(t)
	namespaces := []string{"apps", "web"}
	for _, ns := range namespaces {
		api.AddNamespace(ns, nil)
		api.AddServiceAccount(ns, "default")
	}
	api.AddNamespace("other", nil)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(api.Kubeconfig()), 0o600); err != nil {
		t.Fatal(err)
	}

	tcr := tcrtest.New()
	t.Cleanup(tcr.Close)
	key := tcr.AddKey()
	inst := tcr.AddInstance(tcrRegion)
	swr := swrtest.New(swrtest.WithRegions(swrRegion))
	t.Cleanup(swr.Close)
	acct := swr.NewAccount()
	swrInst := swr.NewInstance(acct, swrRegion)

	dest := "{store: kubernetes, secret-name: pull, namespaces: [apps, web], service-accounts: [default]}"
	cfg := fmt.Sprintf("targets:\n"+
		"  - {name: tcr, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: {env: true}, destination: %s}\n"+
		"  - {name: swr, provider: swr-enterprise, region: %s, instance-id: %s, api-endpoint: %q, iam-endpoint: %q, credentials: {env: true}, destination: %s}\n",
		tcrRegion, inst.ID, tcr.URL, dest, swrRegion, swrInst.ID, swr.SWRURL, swr.IAMURL, dest)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"KUBECONFIG":              kubeconfig,
		"TENCENTCLOUD_SECRET_ID":  key.ID,
		"TENCENTCLOUD_SECRET_KEY": key.Secret,
		"HUAWEICLOUD_SDK_AK":      acct.AK,
		"HUAWEICLOUD_SDK_SK":      acct.SK,
	}
	args := []string{"-config", cfgPath, "-log-level", "info", "-report", "json"}
	hosts := []string{inst.Registry, swrInst.Registry.Host}

	code, stderr1, rep := run(t, args, env)
	if code != 0 || rep.Targets != 2 || rep.Failed != 0 {
		t.Fatalf("first run: exit %d, report %+v\n%s", code, rep, stderr1)
	}
	if got := outcomes(rep); got["tcr"] != "minted" || got["swr"] != "minted" {
		t.Errorf("first run: outcomes %v, want both minted", got)
	}
	pull := map[string]map[string]core.AuthEntry{}
	for _, ns := range namespaces {
		obj := api.Get(kubetest.Secrets, ns, "pull")
		if obj == nil {
			t.Fatalf("no secret %s/pull; secrets there: %v", ns, api.Names(kubetest.Secrets, ns))
		}
		if obj["type"] != "kubernetes.io/dockerconfigjson" {
			t.Errorf("%s/pull: type %v", ns, obj["type"])
		}
		var doc struct {
			Auths map[string]core.AuthEntry `json:"auths"`
		}
		if err := json.Unmarshal(api.SecretData(ns, "pull")[".dockerconfigjson"], &doc); err != nil {
			t.Fatalf("%s/pull: .dockerconfigjson: %v", ns, err)
		}
		pull[ns] = doc.Auths
		if len(doc.Auths) != 2 {
			t.Errorf("%s/pull: %d registries, want 2", ns, len(doc.Auths))
		}
		for _, h := range hosts {
			a, ok := doc.Auths[h]
			if !ok {
				t.Errorf("%s/pull: no login for %s", ns, h)
				continue
			}
			if a.Auth != core.DockerAuth(a.Username, a.Password) {
				t.Errorf("%s/pull: the auth of %s is not its username and password", ns, h)
			}
			v := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: h, Username: a.Username, Password: a.Password})
			if v.Result != core.VerifyGood {
				t.Errorf("%s/pull: the registry %s does not accept the login: %s", ns, h, v)
			}
		}
		sa := api.Get(kubetest.ServiceAccounts, ns, "default")
		ips, _ := sa["imagePullSecrets"].([]any)
		if !slices.ContainsFunc(ips, func(r any) bool { m, _ := r.(map[string]any); return m["name"] == "pull" }) {
			t.Errorf("%s/default: imagePullSecrets %v, want pull", ns, ips)
		}
	}
	if api.Get(kubetest.Secrets, "other", "pull") != nil {
		t.Error("a namespace the config does not list got the secret")
	}
	issued := tcr.Calls("CreateInstanceToken") + swr.Calls(swrtest.OpCreateInstanceTempCredential) + swr.Calls(swrtest.OpCreateInstanceLtCredential)

	code, stderr2, rep := run(t, args, env)
	if code != 0 || rep.Failed != 0 {
		t.Fatalf("second run: exit %d, report %+v\n%s", code, rep, stderr2)
	}
	if got := outcomes(rep); got["tcr"] != "fresh" || got["swr"] != "fresh" {
		t.Errorf("second run: outcomes %v, want both fresh", got)
	}
	if now := tcr.Calls("CreateInstanceToken") + swr.Calls(swrtest.OpCreateInstanceTempCredential) + swr.Calls(swrtest.OpCreateInstanceLtCredential); now != issued {
		t.Errorf("second run minted %d credentials, want none", now-issued)
	}
	for _, ns := range namespaces {
		var doc struct {
			Auths map[string]core.AuthEntry `json:"auths"`
		}
		_ = json.Unmarshal(api.SecretData(ns, "pull")[".dockerconfigjson"], &doc)
		for _, h := range hosts {
			if doc.Auths[h] != pull[ns][h] {
				t.Errorf("%s/pull: the login of %s changed on a fresh run", ns, h)
			}
		}
	}

	secrets := append([]string{key.Secret, acct.SK, acct.Password}, swr.Secrets()...)
	for _, s := range tcr.Secrets() {
		secrets = append(secrets, s, core.DockerAuth(tcr.UIN, s))
	}
	for _, auths := range pull {
		for _, a := range auths {
			secrets = append(secrets, a.Password, a.Auth)
		}
	}
	leaktest.Check(t, "the first run's log", stderr1, secrets...)
	leaktest.Check(t, "the second run's log", stderr2, secrets...)
}
