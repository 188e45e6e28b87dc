package kubernetes_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/kubernetes"
	"github.com/regmint/regmint/core/store/kubernetes/kubetest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
)

// tkeStore opens the tke-image-pull-secret store of resource name the way
// a run does (through the Opener), logging to e.logs.
func (e *env) tkeStore(t *testing.T, name string) core.Store {
	t.Helper()
	o := &kubernetes.Opener{Client: e.client, Logger: e.log}
	s, err := o.Run().Store(context.Background(), config.Destination{Store: kubernetes.TKEKindName, Ref: "tcr", SecretName: name})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// docker returns spec.docker of an ImagePullSecret in the emulator.
func (e *env) docker(t *testing.T, name string) map[string]any {
	t.Helper()
	obj := e.api.Get(kubetest.ImagePullSecret, "", name)
	if obj == nil {
		t.Fatalf("imagepullsecret %s is missing", name)
	}
	spec, _ := obj["spec"].(map[string]any)
	d, _ := spec["docker"].(map[string]any)
	return d
}

// tkeResource names the add-on's cluster-scoped ImagePullSecret, shaped as
// in Tencent's sample (apiVersion tcr.tencentcloudcr.com/v1, no namespace,
// spec.namespaces and serviceAccounts, spec.docker.server/username/password).
const tkeResource = "tcr-abcd1234-vpc"

// TestTKEUpdatesLogin: a Put writes spec.docker.username and password of
// the add-on's resource through the dynamic client (an update under the
// resourceVersion read), keeps what the add-on reads besides (server,
// namespaces, serviceAccounts), puts the metadata in an annotation and
// reads the record back.
func TestTKEUpdatesLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	host := "abcd1234-vpc.tencentcloudcr.com"
	e.api.AddImagePullSecret(tkeResource, host)
	s := e.tkeStore(t, tkeResource)
	ctx := context.Background()
	if _, err := s.Get(ctx, "tcr"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Get before any Put: %v, want not found (the add-on's token is not regmint's)", err)
	}
	rec := record(t, host)
	if err := s.Put(ctx, "tcr", rec); err != nil {
		t.Fatal(err)
	}
	d := e.docker(t, tkeResource)
	if d["username"] != rec.Credential.Username || d["password"] != rec.Credential.Password || d["server"] != host {
		t.Errorf("spec.docker = username %v, server %v (password matches: %v); want the new login for %s",
			d["username"], d["server"], d["password"] == rec.Credential.Password, host)
	}
	obj := e.api.Get(kubetest.ImagePullSecret, "", tkeResource)
	if obj["apiVersion"] != "tcr.tencentcloudcr.com/v1" || obj["kind"] != "ImagePullSecret" {
		t.Errorf("object is %v %v", obj["apiVersion"], obj["kind"])
	}
	spec := obj["spec"].(map[string]any)
	if spec["namespaces"] != "*" || spec["serviceAccounts"] != "*" {
		t.Errorf("spec.namespaces/serviceAccounts = %v/%v, want the add-on's untouched", spec["namespaces"], spec["serviceAccounts"])
	}
	md := obj["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)[kubernetes.AnnotationPrefix+"tcr"].(string)
	if !strings.Contains(ann, `"token_id":"`+rec.Credential.TokenID+`"`) {
		t.Errorf("annotation = %q, want the metadata", ann)
	}
	leaktest.Check(t, "the resource's metadata", fmt.Sprint(md), rec.Credential.Password, core.DockerAuth(rec.Credential.Username, rec.Credential.Password))

	var updates []kubetest.Request
	for _, r := range e.api.Requests() {
		if r.Verb != "get" {
			updates = append(updates, r)
		}
	}
	want := kubetest.Request{Verb: "update", Group: "tcr.tencentcloudcr.com", Resource: "imagepullsecrets", Name: tkeResource}
	if len(updates) != 1 || updates[0] != want {
		t.Errorf("writes = %v, want one %v (cluster-scoped)", updates, want)
	}

	rr := s.(core.RecordReader)
	got, err := rr.ReadRecord(ctx, "tcr")
	if err != nil {
		t.Fatal(err)
	}
	if err := storetest.SameStored(got.Stored(), rec.Stored()); err != nil {
		t.Error(err)
	}
	if got.Credential.Password != rec.Credential.Password {
		t.Error("ReadRecord: the password differs")
	}

	// A login edited by hand since is not what the metadata describes:
	// not found, so the engine mints again rather than trusting it.
	obj = e.api.Get(kubetest.ImagePullSecret, "", tkeResource)
	obj["spec"].(map[string]any)["docker"].(map[string]any)["username"] = "edited-by-hand"
	e.api.Put(kubetest.ImagePullSecret, "", obj)
	if _, err := s.Get(ctx, "tcr"); !errors.Is(err, core.ErrNotFound) || !strings.Contains(err.Error(), "spec.docker.username changed") {
		t.Errorf("Get after a hand edit: %v, want not found saying the username changed", err)
	}
}

// TestTKEServerWithScheme: a server written with a scheme or a trailing
// slash still names the target's registry.
func TestTKEServerWithScheme(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	host := "abcd1234.tencentcloudcr.com"
	e.api.AddImagePullSecret(tkeResource, "https://"+host+"/")
	rec := record(t, host)
	if err := e.tkeStore(t, tkeResource).Put(context.Background(), "tcr", rec); err != nil {
		t.Fatal(err)
	}
	if d := e.docker(t, tkeResource); d["password"] != rec.Credential.Password || d["server"] != "https://"+host+"/" {
		t.Errorf("spec.docker.server = %v (password written: %v), want the server kept as the add-on wrote it", d["server"], d["password"] == rec.Credential.Password)
	}
}

// TestTKEConflictRetried: 409s re-read and retry; endless ones fail with
// the 409 named.
func TestTKEConflictRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	host := "abcd1234-vpc.tencentcloudcr.com"
	e.api.AddImagePullSecret(tkeResource, host)
	s := e.tkeStore(t, tkeResource)
	ctx := context.Background()
	conflicts := 3
	e.api.Inject(func(r kubetest.Request) *kubetest.Fault {
		if r.Verb == "update" && conflicts > 0 {
			conflicts--
			return &kubetest.Fault{Code: 409, Reason: "Conflict", Message: `Operation cannot be fulfilled on imagepullsecrets.tcr.tencentcloudcr.com "` + tkeResource + `": the object has been modified`}
		}
		return nil
	})
	rec := record(t, host)
	if err := s.Put(ctx, "tcr", rec); err != nil {
		t.Fatalf("Put with 3 conflicts: %v", err)
	}
	if e.docker(t, tkeResource)["password"] != rec.Credential.Password {
		t.Error("after retries the resource does not hold the new login")
	}

	e.api.Inject(func(r kubetest.Request) *kubetest.Fault {
		if r.Verb == "update" {
			return &kubetest.Fault{Code: 409, Reason: "Conflict", Message: "the object has been modified"}
		}
		return nil
	})
	last := record(t, host)
	err := s.Put(ctx, "tcr", last)
	var ae *kubernetes.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || !strings.Contains(err.Error(), "imagepullsecret "+tkeResource) {
		t.Errorf("Put under endless conflicts: %v, want a 409 naming the resource", err)
	}
	leaktest.Check(t, "the error", fmt.Sprint(err), last.Credential.Password)
}

// TestTKEOtherRegistryRefused: a resource whose spec.docker.server names
// another registry is never given this target's login.
func TestTKEOtherRegistryRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.api.AddImagePullSecret(tkeResource, "other.tencentcloudcr.com")
	before := e.api.Get(kubetest.ImagePullSecret, "", tkeResource)
	rec := record(t, "abcd1234-vpc.tencentcloudcr.com")
	err := e.tkeStore(t, tkeResource).Put(context.Background(), "tcr", rec)
	if err == nil {
		t.Fatal("Put into another registry's resource succeeded")
	}
	for _, want := range []string{"imagepullsecret " + tkeResource, "other.tencentcloudcr.com", "spec.docker.server", "abcd1234-vpc.tencentcloudcr.com"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if after := e.api.Get(kubetest.ImagePullSecret, "", tkeResource); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("the other registry's resource was changed")
	}
	leaktest.Check(t, "the error", err.Error(), rec.Credential.Password)
}

// TestTKEMissingNotCreated: regmint never creates the add-on's resource:
// a missing one is an error saying who creates it, and no create is sent.
func TestTKEMissingNotCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.tkeStore(t, tkeResource)
	rec := record(t, "abcd1234-vpc.tencentcloudcr.com")
	err := s.Put(context.Background(), "tcr", rec)
	if err == nil || !strings.Contains(err.Error(), "imagepullsecret "+tkeResource+" does not exist") || !strings.Contains(err.Error(), "add-on") {
		t.Fatalf("Put of a missing resource: %v, want an error saying it does not exist and the add-on creates it", err)
	}
	if _, err := s.Get(context.Background(), "tcr"); err == nil || errors.Is(err, core.ErrNotFound) {
		t.Errorf("Get of a missing resource: %v, want the same error, not a not-found that makes the engine mint", err)
	}
	for _, r := range e.api.Requests() {
		if r.Verb != "get" {
			t.Errorf("request %v sent; want reads only", r)
		}
	}
	if names := e.api.Names(kubetest.ImagePullSecret, ""); len(names) != 0 {
		t.Errorf("resources now %v, want none", names)
	}
	leaktest.Check(t, "the error", err.Error(), rec.Credential.Password)
}

// TestTKEForbidden: without update on the resource, the Put fails with
// the API's 403, the RBAC hint and the resource named; the login is not
// written and nothing secret is in the error or the log.
func TestTKEForbidden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		verbs []string
		op    string
	}{
		{"no update", []string{"get"}, "update imagepullsecret " + tkeResource},
		{"no get", []string{"update"}, "read imagepullsecret " + tkeResource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			host := "abcd1234-vpc.tencentcloudcr.com"
			e.api.AddImagePullSecret(tkeResource, host)
			e.api.SetRules([]kubetest.Rule{{APIGroups: []string{"tcr.tencentcloudcr.com"}, Resources: []string{"imagepullsecrets"}, Verbs: tc.verbs, ResourceNames: []string{tkeResource}}})
			rec := record(t, host)
			err := e.tkeStore(t, tkeResource).Put(context.Background(), "tcr", rec)
			if err == nil {
				t.Fatal("Put succeeded without the RBAC rule")
			}
			for _, want := range []string{tc.op, "HTTP 403 Forbidden", `resource "imagepullsecrets" in API group "tcr.tencentcloudcr.com"`, "RBAC"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if e.docker(t, tkeResource)["password"] == rec.Credential.Password {
				t.Error("the login was written")
			}
			leaktest.Check(t, "the error", err.Error(), rec.Credential.Password, core.DockerAuth(rec.Credential.Username, rec.Credential.Password))
			leaktest.Check(t, "the log", e.logs.String(), rec.Credential.Password)
		})
	}
}

// TestTKEIncompleteRefused: a credential missing a part is refused before
// any request.
func TestTKEIncompleteRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.api.AddImagePullSecret(tkeResource, "r.example.com")
	rec := record(t, "r.example.com")
	rec.Credential.Password = ""
	if err := e.tkeStore(t, tkeResource).Put(context.Background(), "tcr", rec); err == nil {
		t.Error("Put of a credential without a password succeeded")
	}
	if n := len(e.api.Requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// tkeRefs is a store for storetest: the add-on keeps one registry login
// per resource, so each ref is its own resource (created empty on first
// use, as the add-on would with an unset server) behind the real store.
type tkeRefs struct {
	t *testing.T
	e *env
}

func (r tkeRefs) store(ref string) core.Store {
	name := strings.ToLower(ref)
	if r.e.api.Get(kubetest.ImagePullSecret, "", name) == nil {
		r.e.api.AddImagePullSecret(name, "")
	}
	return r.e.tkeStore(r.t, name)
}

func (r tkeRefs) Get(ctx context.Context, ref string) (core.Stored, error) {
	return r.store(ref).Get(ctx, ref)
}

func (r tkeRefs) Put(ctx context.Context, ref string, rec core.Record) error {
	return r.store(ref).Put(ctx, ref, rec)
}

func (r tkeRefs) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	return r.store(ref).(core.RecordReader).ReadRecord(ctx, ref)
}

// TestTKEConformance runs the store conformance suite, one resource per
// ref.
func TestTKEConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) core.Store {
		return tkeRefs{t: t, e: newEnv(t)}
	})
}
