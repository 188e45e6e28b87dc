package kubernetes_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/kubernetes"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) core.Store {
		e := newEnv(t, "apps", "web")
		return e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps", "web"}})
	})
}

func TestConformanceSelector(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) core.Store {
		e := newEnv(t, "apps", "web")
		e.api.AddNamespace("other", map[string]string{"team": "data"})
		return e.store(t, kubernetes.Config{SecretName: "pull", Selector: "team=apps"})
	})
}

// TestWritesDockerConfigSecret: a Put writes a kubernetes.io/dockerconfigjson
// Secret a kubelet can use, labelled as regmint's, with the metadata in an
// annotation and the password only in .data.
func TestWritesDockerConfigSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}})
	rec := record(t, "r1.tencentcloudcr.com")
	if err := s.Put(context.Background(), "tcr", rec); err != nil {
		t.Fatal(err)
	}
	obj := e.api.Get(kubetest.Secrets, "apps", "pull")
	if obj["type"] != "kubernetes.io/dockerconfigjson" {
		t.Errorf("type = %v", obj["type"])
	}
	md := obj["metadata"].(map[string]any)
	if md["labels"].(map[string]any)[kubernetes.LabelManagedBy] != kubernetes.ValueManagedBy {
		t.Errorf("labels = %v, want the managed-by label", md["labels"])
	}
	ann, _ := md["annotations"].(map[string]any)[kubernetes.AnnotationPrefix+"tcr"].(string)
	if !strings.Contains(ann, `"registry":"r1.tencentcloudcr.com"`) || !strings.Contains(ann, `"token_id":"`+rec.Credential.TokenID+`"`) {
		t.Errorf("annotation = %q, want the storemeta metadata", ann)
	}
	// Nothing secret outside .data.
	withoutData := fmt.Sprint(md) + fmt.Sprint(obj["type"])
	leaktest.Check(t, "the secret's metadata", withoutData, rec.Credential.Password, core.DockerAuth(rec.Credential.Username, rec.Credential.Password))
	got := e.auths(t, "apps", "pull")["r1.tencentcloudcr.com"]
	if got.Password != rec.Credential.Password || got.Auth != core.DockerAuth(rec.Credential.Username, rec.Credential.Password) {
		t.Errorf("auths entry does not hold the login")
	}
}

// TestGroupedSecret: targets naming the same Secret each keep their own
// registry in it, written concurrently without losing one another's.
func TestGroupedSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps", "web")
	cfg := kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps", "web"}}
	hosts := []string{"a.tencentcloudcr.com", "b.swr.cn-north-4.myhuaweicloud.com", "c.tencentcloudcr.com", "d.example.com"}
	recs := map[string]core.Record{}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, len(hosts))
		for i, h := range hosts {
			r := record(t, h)
			recs[h] = r
			wg.Go(func() { errs[i] = e.store(t, cfg).Put(context.Background(), fmt.Sprintf("t%d", i), r) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Put t%d: %v", round, i, err)
			}
		}
	}
	for _, ns := range []string{"apps", "web"} {
		auths := e.auths(t, ns, "pull")
		if len(auths) != len(hosts) {
			t.Errorf("%s: %d auths entries, want %d", ns, len(auths), len(hosts))
		}
		for _, h := range hosts {
			if auths[h].Password != recs[h].Credential.Password {
				t.Errorf("%s: the entry of %s does not hold its last login", ns, h)
			}
		}
	}
	for i, h := range hosts {
		got, err := e.store(t, cfg).Get(context.Background(), fmt.Sprintf("t%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := storetest.SameStored(got, recs[h].Stored()); err != nil {
			t.Errorf("t%d: %v", i, err)
		}
	}
	// One registry per Secret: another ref may not take a host held.
	err := e.store(t, cfg).Put(context.Background(), "intruder", record(t, hosts[0]))
	if err == nil || !strings.Contains(err.Error(), "already held by ref t0") {
		t.Errorf("Put of a held registry under another ref: %v, want an error naming t0", err)
	}
}

// TestConflictRetried: a write that meets 409s re-reads and retries; one
// that keeps meeting them fails with a message saying so.
func TestConflictRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}})
	ctx := context.Background()
	if err := s.Put(ctx, "tcr", record(t, "r.example.com")); err != nil {
		t.Fatal(err)
	}
	conflicts := 3
	e.api.Inject(func(r kubetest.Request) *kubetest.Fault {
		if r.Verb == "update" && conflicts > 0 {
			conflicts--
			return &kubetest.Fault{Code: 409, Reason: "Conflict", Message: "Operation cannot be fulfilled on secrets \"pull\": the object has been modified"}
		}
		return nil
	})
	rec := record(t, "r.example.com")
	if err := s.Put(ctx, "tcr", rec); err != nil {
		t.Fatalf("Put with 3 conflicts: %v", err)
	}
	if got := e.auths(t, "apps", "pull")["r.example.com"].Password; got != rec.Credential.Password {
		t.Error("after retries the secret does not hold the new login")
	}
	conflicts = 1000
	err := s.Put(ctx, "tcr", record(t, "r.example.com"))
	var ae *kubernetes.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || !strings.Contains(err.Error(), "secret apps/pull") {
		t.Errorf("Put under endless conflicts: %v, want a 409 naming the secret", err)
	}
}

// TestForbiddenNamed: a namespace the service account may not write fails
// the Put with the API's 403 naming it and the RBAC hint; the others are
// written.
func TestForbiddenNamed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps", "web")
	e.api.SetRules([]kubetest.Rule{
		{Namespace: "apps", APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get", "create", "update"}},
		{Namespace: "web", APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}},
	})
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps", "web"}})
	rec := record(t, "r.example.com")
	err := s.Put(context.Background(), "tcr", rec)
	if err == nil {
		t.Fatal("Put succeeded where create is forbidden")
	}
	for _, want := range []string{"create secret web/pull", "HTTP 403 Forbidden", `cannot create resource "secrets"`, "RBAC"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "apps") {
		t.Errorf("error %q names the namespace that was written", err)
	}
	if e.auths(t, "apps", "pull")["r.example.com"].Password != rec.Credential.Password {
		t.Error("the allowed namespace was not written")
	}
	leaktest.Check(t, "the error", err.Error(), rec.Credential.Password)
}

// TestForeignSecretRefused: a Secret of the same name that regmint did not
// create is never overwritten, and the error names it.
func TestForeignSecretRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		labels map[string]any
		typ    string
	}{
		{"no label", nil, "kubernetes.io/dockerconfigjson"},
		{"another manager", map[string]any{kubernetes.LabelManagedBy: "helm"}, "kubernetes.io/dockerconfigjson"},
		{"opaque", map[string]any{kubernetes.LabelManagedBy: kubernetes.ValueManagedBy}, "Opaque"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, "apps")
			e.api.Put(kubetest.Secrets, "apps", map[string]any{"metadata": map[string]any{"name": "pull", "labels": tc.labels},
				"type": tc.typ, "data": map[string]any{".dockerconfigjson": "e30="}})
			before := e.api.Get(kubetest.Secrets, "apps", "pull")
			s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}})
			err := s.Put(context.Background(), "tcr", record(t, "r.example.com"))
			var fe *kubernetes.ForeignError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), "secret apps/pull") {
				t.Fatalf("Put over a foreign secret: %v, want a ForeignError naming apps/pull", err)
			}
			if _, err := s.Get(context.Background(), "tcr"); !errors.As(err, &fe) {
				t.Errorf("Get of a foreign secret: %v, want a ForeignError", err)
			}
			if after := e.api.Get(kubetest.Secrets, "apps", "pull"); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Error("the foreign secret was changed")
			}
		})
	}
}

// TestNamespaceAppears: a namespace that starts matching the selector
// after the last write gets the current pull secret on the next read,
// before any new credential is minted.
func TestNamespaceAppears(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	s := e.store(t, kubernetes.Config{SecretName: "pull", Selector: "team=apps", ServiceAccounts: []string{"default"}})
	e.api.AddServiceAccount("apps", "default")
	ctx := context.Background()
	rec := record(t, "r.example.com")
	if err := s.Put(ctx, "tcr", rec); err != nil {
		t.Fatal(err)
	}
	e.api.AddNamespace("new", map[string]string{"team": "apps"})
	e.api.AddServiceAccount("new", "default")
	got, err := s.Get(ctx, "tcr")
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.SameStored(got, rec.Stored()); err != nil {
		t.Errorf("Get: %v", err)
	}
	if e.auths(t, "new", "pull")["r.example.com"].Password != rec.Credential.Password {
		t.Error("the new namespace did not get the current pull secret")
	}
	sa := e.api.Get(kubetest.ServiceAccounts, "new", "default")
	if fmt.Sprint(sa["imagePullSecrets"]) != "[map[name:pull]]" {
		t.Errorf("new/default imagePullSecrets = %v", sa["imagePullSecrets"])
	}
	if !strings.Contains(e.logs.String(), "copied the current pull secret") {
		t.Error("the copy was not logged")
	}
	leaktest.Check(t, "the log", e.logs.String(), rec.Credential.Password)
}

// TestServiceAccountsPatched: named service accounts gain the pull secret
// once, keeping the ones they had; a missing one is an error naming it.
func TestServiceAccountsPatched(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	e.api.Put(kubetest.ServiceAccounts, "apps", map[string]any{"metadata": map[string]any{"name": "builder"},
		"imagePullSecrets": []any{map[string]any{"name": "other"}}})
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}, ServiceAccounts: []string{"builder"}})
	ctx := context.Background()
	for range 2 {
		if err := s.Put(ctx, "tcr", record(t, "r.example.com")); err != nil {
			t.Fatal(err)
		}
	}
	sa := e.api.Get(kubetest.ServiceAccounts, "apps", "builder")
	if got := fmt.Sprint(sa["imagePullSecrets"]); got != "[map[name:other] map[name:pull]]" {
		t.Errorf("imagePullSecrets = %s", got)
	}
	patches := 0
	for _, r := range e.api.Requests() {
		if r.Verb == "patch" {
			patches++
		}
	}
	if patches != 1 {
		t.Errorf("%d patches, want 1 (the second write finds the secret listed)", patches)
	}
	missing := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}, ServiceAccounts: []string{"ghost"}})
	if err := missing.Put(ctx, "tcr", record(t, "r.example.com")); err == nil || !strings.Contains(err.Error(), "serviceaccount apps/ghost") {
		t.Errorf("Put with a missing service account: %v, want an error naming it", err)
	}
}

// TestServiceAccountConflict: a service account changed between read and
// patch (409 on the resourceVersion) is read again, keeping the change.
func TestServiceAccountConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	e.api.AddServiceAccount("apps", "default")
	once := true
	e.api.OnWrite(func(r kubetest.Request) {
		if r.Resource == "secrets" && once {
			once = false
			// Someone else adds a pull secret right after our Secret write.
			e.api.Put(kubetest.ServiceAccounts, "apps", map[string]any{"metadata": map[string]any{"name": "default"},
				"imagePullSecrets": []any{map[string]any{"name": "theirs"}}})
		}
	})
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps"}, ServiceAccounts: []string{"default"}})
	if err := s.Put(context.Background(), "tcr", record(t, "r.example.com")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(e.api.Get(kubetest.ServiceAccounts, "apps", "default")["imagePullSecrets"]); got != "[map[name:theirs] map[name:pull]]" {
		t.Errorf("imagePullSecrets = %s", got)
	}
}

// TestNoNamespaceMatches: a selector matching nothing is an error (not
// "not found", which would mint a credential for nowhere).
func TestNoNamespaceMatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	s := e.store(t, kubernetes.Config{SecretName: "pull", Selector: "team=none"})
	if _, err := s.Get(context.Background(), "tcr"); err == nil || errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "team=none") {
		t.Errorf("Get: %v, want an error naming the selector", err)
	}
}

// TestMissingNamespace: a listed namespace that does not exist fails the
// Put naming it.
func TestMissingNamespace(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "apps")
	s := e.store(t, kubernetes.Config{SecretName: "pull", Namespaces: []string{"apps", "gone"}})
	err := s.Put(context.Background(), "tcr", record(t, "r.example.com"))
	if err == nil || !strings.Contains(err.Error(), `namespaces "gone" not found`) {
		t.Errorf("Put: %v, want the API's not found naming gone", err)
	}
}
