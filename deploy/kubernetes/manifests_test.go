// Package kubernetes holds the tests of the kustomize base beside them:
// it renders (kubectl kustomize), applies in a client dry run, and grants
// exactly what the kubernetes store asks of the API server.
package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/kubernetes"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/core/stores"
)

// render runs kubectl kustomize on this directory and returns its objects.
func render(t *testing.T) ([]byte, []map[string]any) {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl is not installed (Debian: apt-get install kubernetes-client; .ci/run installs it)")
	}
	out, err := exec.Command("kubectl", "kustomize", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize: %v\n%s", err, out)
	}
	var objs []map[string]any
	for _, doc := range strings.Split(string(out), "\n---\n") {
		var o map[string]any
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			t.Fatalf("rendered document: %v", err)
		}
		objs = append(objs, o)
	}
	return out, objs
}

func kindOf(o map[string]any) string { return o["kind"].(string) }

func field(o map[string]any, path ...string) any {
	var v any = o
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// TestBaseRenders: the base renders to the objects the docs promise, the
// CronJob forbids overlapping runs and logs its report as JSON, its config
// parses, and the NetworkPolicy lets out DNS and HTTPS only.
func TestBaseRenders(t *testing.T) {
	t.Parallel()
	_, objs := render(t)
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, kindOf(o))
		switch kindOf(o) {
		case "CronJob":
			if got := field(o, "spec", "concurrencyPolicy"); got != "Forbid" {
				t.Errorf("concurrencyPolicy = %v, want Forbid", got)
			}
			c := field(o, "spec", "jobTemplate", "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
			args := fmt.Sprint(c["args"])
			if !strings.Contains(args, "-report json") || !strings.Contains(args, "-config /etc/regmint/config.yaml") {
				t.Errorf("args %s: want -config /etc/regmint/config.yaml and -report json", args)
			}
		case "ConfigMap":
			raw, _ := field(o, "data", "config.yaml").(string)
			if _, err := config.Parse([]byte(raw), stores.Kinds()); err != nil {
				t.Errorf("the ConfigMap's config.yaml does not parse: %v", err)
			}
		case "NetworkPolicy":
			var ports []string
			for _, e := range field(o, "spec", "egress").([]any) {
				for _, p := range e.(map[string]any)["ports"].([]any) {
					pm := p.(map[string]any)
					ports = append(ports, fmt.Sprintf("%v/%v", pm["port"], pm["protocol"]))
				}
			}
			slices.Sort(ports)
			if got := strings.Join(ports, " "); got != "443/TCP 53/TCP 53/UDP 6443/TCP" {
				t.Errorf("egress ports %s", got)
			}
		}
	}
	slices.Sort(kinds)
	if got := strings.Join(kinds, " "); got != "ConfigMap CronJob Namespace NetworkPolicy Role RoleBinding ServiceAccount" {
		t.Errorf("rendered kinds: %s", got)
	}
}

// TestDryRunApply: kubectl accepts the rendered base (apply
// --dry-run=client --validate=false), against a loopback server that
// answers discovery and "not found" for every object, as an empty cluster.
func TestDryRunApply(t *testing.T) {
	t.Parallel()
	rendered, objs := render(t)
	srv := httptest.NewServer(http.HandlerFunc(discovery))
	t.Cleanup(srv.Close)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: " + srv.URL + "}}]\n" +
		"users: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("kubectl", "--kubeconfig", kc, "--cache-dir", t.TempDir(), "apply", "--dry-run=client", "--validate=false", "-f", "-")
	cmd.Stdin = bytes.NewReader(rendered)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl apply --dry-run=client: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "(dry run)"); n != len(objs) {
		t.Errorf("%d objects applied in the dry run, want %d:\n%s", n, len(objs), out)
	}
}

// discovery answers the API discovery of the groups the base uses, and
// 404 for every object.
func discovery(w http.ResponseWriter, r *http.Request) {
	res := func(name, kind string, namespaced bool) map[string]any {
		return map[string]any{"name": name, "kind": kind, "namespaced": namespaced, "singularName": "", "verbs": []string{"get", "list", "create", "update", "patch", "delete"}}
	}
	groups := map[string][]map[string]any{
		"rbac.authorization.k8s.io/v1": {res("roles", "Role", true), res("rolebindings", "RoleBinding", true)},
		"batch/v1":                     {res("cronjobs", "CronJob", true)},
		"networking.k8s.io/v1":         {res("networkpolicies", "NetworkPolicy", true)},
	}
	var body any
	switch r.URL.Path {
	case "/api":
		body = map[string]any{"kind": "APIVersions", "versions": []string{"v1"}, "serverAddressByClientCIDRs": []any{}}
	case "/apis":
		var gl []any
		for gv := range groups {
			g, v, _ := strings.Cut(gv, "/")
			gl = append(gl, map[string]any{"name": g, "versions": []any{map[string]any{"groupVersion": gv, "version": v}},
				"preferredVersion": map[string]any{"groupVersion": gv, "version": v}})
		}
		body = map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": gl}
	case "/api/v1":
		body = map[string]any{"kind": "APIResourceList", "groupVersion": "v1", "resources": []any{
			res("namespaces", "Namespace", false), res("serviceaccounts", "ServiceAccount", true), res("configmaps", "ConfigMap", true), res("secrets", "Secret", true)}}
	default:
		if gv, ok := strings.CutPrefix(r.URL.Path, "/apis/"); ok && groups[gv] != nil {
			body = map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": groups[gv]}
		} else {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// TestRBACIsExactlyWhatTheStoreUses: the rendered Role, bound to the
// rotator's service account, allows every request the kubernetes store
// makes for the base's config (first write, rotation, a second target's
// part, reads), and every rule it grants is used: nothing more is granted.
func TestRBACIsExactlyWhatTheStoreUses(t *testing.T) {
	t.Parallel()
	_, objs := render(t)
	rules := grantedRules(t, objs, "regmint", "regmint")
	if len(rules) == 0 {
		t.Fatal("the base grants the rotator nothing")
	}
	var cfgDoc string
	for _, o := range objs {
		if kindOf(o) == "ConfigMap" {
			cfgDoc, _ = field(o, "data", "config.yaml").(string)
		}
	}
	cfg, err := config.Parse([]byte(cfgDoc), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	api := kubetest.New(t)
	api.SetRules(rules)
	d := cfg.Targets[0].Destinations[0]
	for _, ns := range d.Namespaces {
		api.AddNamespace(ns, nil)
		for _, sa := range d.ServiceAccounts {
			api.AddServiceAccount(ns, sa)
		}
	}
	c, err := kubernetes.NewClient(&rest.Config{Host: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	o := &kubernetes.Opener{Config: cfg, Client: c}
	ctx := context.Background()
	for run := range 3 {
		st, err := o.Run().Store(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Get(ctx, d.Ref); err != nil && run > 0 {
			t.Fatalf("run %d: Get: %v", run, err)
		}
		rec := core.Record{Credential: core.Credential{Registry: "r.tencentcloudcr.com", Username: "u", Password: fmt.Sprintf("pw-rbac-run-%d-0000", run),
			ExpiresAt: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}, IssuedAt: time.Date(2030, 1, 1, run, 0, 0, 0, time.UTC)}
		if err := st.Put(ctx, d.Ref, rec); err != nil {
			t.Fatalf("run %d: Put under the base's RBAC: %v", run, err)
		}
	}
	used := make([]bool, len(rules))
	for _, rq := range api.Requests() {
		allowed := false
		for i, ru := range rules {
			if ru.Allows(rq) {
				allowed, used[i] = true, true
			}
		}
		if !allowed {
			t.Errorf("the store asked %s, which the base does not grant", rq)
		}
	}
	for i, ru := range rules {
		if !used[i] {
			t.Errorf("the base grants %v on %v (names %v) in %q, which the store never uses", ru.Verbs, ru.Resources, ru.ResourceNames, ru.Namespace)
		}
	}
}

// grantedRules returns the rules the rendered Roles and ClusterRoles grant
// the service account ns/name through their bindings, one per verb, so
// that an unused verb shows.
func grantedRules(t *testing.T, objs []map[string]any, ns, name string) []kubetest.Rule {
	t.Helper()
	roles := map[string][]any{}
	for _, o := range objs {
		switch kindOf(o) {
		case "Role":
			roles["Role/"+field(o, "metadata", "namespace").(string)+"/"+field(o, "metadata", "name").(string)] = o["rules"].([]any)
		case "ClusterRole":
			roles["ClusterRole//"+field(o, "metadata", "name").(string)] = o["rules"].([]any)
		}
	}
	strs := func(v any) []string {
		var out []string
		for _, s := range v.([]any) {
			out = append(out, s.(string))
		}
		return out
	}
	var out []kubetest.Rule
	for _, o := range objs {
		k := kindOf(o)
		if k != "RoleBinding" && k != "ClusterRoleBinding" {
			continue
		}
		bound := false
		for _, s := range o["subjects"].([]any) {
			sm := s.(map[string]any)
			bound = bound || (sm["kind"] == "ServiceAccount" && sm["name"] == name && sm["namespace"] == ns)
		}
		if !bound {
			continue
		}
		bns, _ := field(o, "metadata", "namespace").(string)
		ref := field(o, "roleRef").(map[string]any)
		key := ref["kind"].(string) + "/" + bns + "/" + ref["name"].(string)
		if ref["kind"] == "ClusterRole" {
			key = "ClusterRole//" + ref["name"].(string)
		}
		rs, ok := roles[key]
		if !ok {
			t.Fatalf("%s %s binds %s, which the base does not define", k, field(o, "metadata", "name"), key)
		}
		for _, r := range rs {
			rm := r.(map[string]any)
			var names []string
			if rm["resourceNames"] != nil {
				names = strs(rm["resourceNames"])
			}
			for _, verb := range strs(rm["verbs"]) {
				out = append(out, kubetest.Rule{Namespace: bns, APIGroups: strs(rm["apiGroups"]), Resources: strs(rm["resources"]), Verbs: []string{verb}, ResourceNames: names})
			}
		}
	}
	return out
}

// TestDocConfigsParse keeps docs/kubernetes.md's example configs valid.
func TestDocConfigsParse(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docs/kubernetes.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(raw), "```yaml\n")[1:] {
		doc, _, _ := strings.Cut(block, "```")
		if _, err := config.Parse([]byte(doc), stores.Kinds()); err != nil {
			t.Errorf("docs/kubernetes.md config does not parse: %v\n%s", err, doc)
		}
		n++
	}
	if n < 4 {
		t.Errorf("docs/kubernetes.md has %d yaml configs, want 4", n)
	}
}
