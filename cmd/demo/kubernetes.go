package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// demoKubernetes runs the rotation engine as regmint-rotate runs in a
// CronJob (the kubernetes store through client-go, the cluster named by a
// kubeconfig) against an emulated API server: a TCR and an SWR Enterprise
// target grouped in one pull secret in two namespaces, their default
// service accounts naming it. It shows the runs, the Secret's shape and
// each login checked against its registry; never a password.
func demoKubernetes(ctx context.Context, p *printer) error {
	const tcrRegion, swrRegion = "ap-guangzhou", "cn-north-4"
	api := kubetest.Start()
	tc := tcrtest.New()
	hw := swrtest.New(swrtest.WithRegions(swrRegion))
	defer func() {
		for _, s := range tc.Secrets() {
			p.secrets(s, core.DockerAuth(tc.UIN, s))
		}
		p.secrets(hw.Secrets()...)
		api.Close()
		tc.Close()
		hw.Close()
	}()
	key := tc.AddKey()
	inst := tc.AddInstance(tcrRegion)
	acct := hw.NewAccount()
	swrInst := hw.NewInstance(acct, swrRegion)
	p.secrets(key.Secret)
	p.secrets(acct.Secrets()...)
	namespaces := []string{"apps", "web"}
	for _, ns := range namespaces {
		api.AddNamespace(ns, nil)
		api.AddServiceAccount(ns, "default")
	}
	api.AddNamespace("batch", nil)

	dir, err := os.MkdirTemp("", "regmint-demo-kube-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(api.Kubeconfig()), 0o600); err != nil {
		return err
	}
	dest := "{store: kubernetes, secret-name: pull, namespaces: [apps, web], service-accounts: [default]}"
	doc := fmt.Sprintf("targets:\n"+
		"  - {name: tcr, provider: tcr, region: %s, instance-id: %s, api-endpoint: %q, credentials: {env: true}, destination: %s}\n"+
		"  - {name: swr, provider: swr-enterprise, region: %s, instance-id: %s, api-endpoint: %q, iam-endpoint: %q, credentials: {env: true}, destination: %s}\n",
		tcrRegion, inst.ID, tc.URL, dest, swrRegion, swrInst.ID, hw.SWRURL, hw.IAMURL, dest)
	env := map[string]string{
		"TENCENTCLOUD_SECRET_ID": key.ID, "TENCENTCLOUD_SECRET_KEY": key.Secret,
		"HUAWEICLOUD_SDK_AK": acct.AK, "HUAWEICLOUD_SDK_SK": acct.SK,
	}
	getenv := func(name string) string { return env[name] }
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		return err
	}
	opts, err := stores.Open(ctx, &stores.Process{Config: cfg, Getenv: getenv, Kubeconfig: kubeconfig})
	if err != nil {
		return err
	}
	eng, err := rotation.New(cfg, func(t core.Target) (core.Issuer, error) { return providers.New(t, core.Env{Getenv: getenv}) }, opts...)
	if err != nil {
		return err
	}

	p.f("")
	p.f("Kubernetes (store kubernetes): regmint-rotate as a CronJob runs it, client-go reaching an emulated API server")
	p.f("  API server emulated at %s (the kubeconfig the rotator reads; in a pod, its service account)", api.URL)
	p.f("  targets tcr (TCR temporary) and swr (SWR Enterprise temporary), both with destination")
	p.f("    %s", dest)
	p.f("  namespaces apps, web and batch (not listed)")
	for i, title := range []string{"first pass: both minted, one Secret per namespace holding both registries", "second pass: both fresh, nothing written"} {
		p.f("  pass %d, %s", i+1, title)
		rep := eng.Run(ctx)
		var b bytes.Buffer
		if err := rep.WriteText(&b); err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			p.f("    | %s", l)
		}
		if err := rep.Err(); err != nil {
			return fmt.Errorf("kubernetes pass %d: %w", i+1, err)
		}
	}
	p.f("  what a kubelet reads (values not shown):")
	for _, ns := range namespaces {
		obj := api.Get(kubetest.Secrets, ns, "pull")
		if obj == nil {
			return fmt.Errorf("no secret %s/pull", ns)
		}
		md, _ := obj["metadata"].(map[string]any)
		lbls, _ := md["labels"].(map[string]any)
		anns, _ := md["annotations"].(map[string]any)
		p.f("    secret %s/pull  type %v  labels %s  annotations %s", ns, obj["type"], keyValues(lbls), strings.Join(sortedKeys(anns), ", "))
		data := api.SecretData(ns, "pull")[".dockerconfigjson"]
		logins, err := dockerLogins(ctx, data)
		if err != nil {
			return fmt.Errorf("secret %s/pull: %w", ns, err)
		}
		if len(logins) != 2 {
			return fmt.Errorf("secret %s/pull holds %d registries, want 2", ns, len(logins))
		}
		for _, l := range logins {
			p.f("      %s", l)
		}
		var doc struct {
			Auths map[string]core.AuthEntry `json:"auths"`
		}
		if err := json.Unmarshal(data, &doc); err == nil {
			for _, a := range doc.Auths {
				p.secrets(a.Password, a.Auth)
			}
		}
		sa := api.Get(kubetest.ServiceAccounts, ns, "default")
		var names []string
		ips, _ := sa["imagePullSecrets"].([]any)
		for _, r := range ips {
			m, _ := r.(map[string]any)
			names = append(names, fmt.Sprint(m["name"]))
		}
		p.f("    serviceaccount %s/default  imagePullSecrets [%s]", ns, strings.Join(names, ", "))
		if !slices.Contains(names, "pull") {
			return fmt.Errorf("serviceaccount %s/default does not name the pull secret", ns)
		}
	}
	if api.Get(kubetest.Secrets, "batch", "pull") != nil {
		return fmt.Errorf("namespace batch, not listed, got the pull secret")
	}
	p.f("    namespace batch: no pull secret (not listed)")
	return nil
}

// keyValues renders labels as k=v, sorted.
func keyValues(m map[string]any) string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, fmt.Sprintf("%s=%v", k, m[k]))
	}
	return strings.Join(out, ",")
}
