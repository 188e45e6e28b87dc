// Package kubetest is a loopback emulator of the few kube-apiserver paths
// regmint's Kubernetes stores use: Namespaces, Secrets, ServiceAccounts and
// the TKE add-on's ImagePullSecret resource, over HTTP with the API's JSON
// (client-go talks to it as to a cluster). It enforces resourceVersion
// preconditions (409 Conflict), answers RBAC denials (403 Forbidden) from a
// configurable rule set, supports label selectors on lists, refuses watch,
// records every request (for the RBAC coverage test) and injects faults.
package kubetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/labels"
)

// Resource identifies an API resource as RBAC names it.
type Resource struct {
	Group, Version, Name, Kind string
	Namespaced                 bool
}

// The resources served.
var (
	Namespaces      = Resource{"", "v1", "namespaces", "Namespace", false}
	Secrets         = Resource{"", "v1", "secrets", "Secret", true}
	ServiceAccounts = Resource{"", "v1", "serviceaccounts", "ServiceAccount", true}
	ImagePullSecret = Resource{"tcr.tencentcloudcr.com", "v1", "imagepullsecrets", "ImagePullSecret", false}
	resources       = []Resource{Namespaces, Secrets, ServiceAccounts, ImagePullSecret}
)

// Request is one API request as RBAC sees it.
type Request struct {
	Verb      string // get, list, watch, create, update, patch, delete
	Group     string
	Resource  string
	Namespace string // "" for cluster-scoped resources and all-namespace lists
	Name      string // "" for list and create
}

func (r Request) String() string {
	s := r.Verb + " " + r.Resource
	if r.Group != "" {
		s += "." + r.Group
	}
	if r.Name != "" {
		s += " " + r.Name
	}
	if r.Namespace != "" {
		s += " in " + r.Namespace
	}
	return s
}

// Rule is an RBAC rule granted to the client. Namespace "" grants it in
// every namespace (a ClusterRole binding); ResourceNames, when set, limit
// it to those objects (never matching list or create, as in RBAC).
type Rule struct {
	Namespace     string
	APIGroups     []string
	Resources     []string
	Verbs         []string
	ResourceNames []string
}

func has(list []string, s string) bool { return slices.Contains(list, s) || slices.Contains(list, "*") }

// Allows reports whether r grants req.
func (r Rule) Allows(req Request) bool {
	if r.Namespace != "" && r.Namespace != req.Namespace {
		return false
	}
	if !has(r.APIGroups, req.Group) || !has(r.Resources, req.Resource) || !has(r.Verbs, req.Verb) {
		return false
	}
	return len(r.ResourceNames) == 0 || (req.Name != "" && slices.Contains(r.ResourceNames, req.Name))
}

// Fault is what an injected fault answers instead of the emulator.
type Fault struct {
	Code    int // 403, 409, 500...
	Reason  string
	Message string
}

// Server is the emulated API server.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	rv      int64
	objects map[string]map[string]any // key: resource/namespace/name
	rules   []Rule                    // nil: everything allowed
	log     []Request
	inject  func(Request) *Fault
	// OnWrite, when set, is called (under no lock) after every successful
	// write with the request.
	onWrite func(Request)
}

// New starts an emulator; it is closed when the test ends.
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts an emulator outside a test (the demo); the caller closes
// it.
func Start() *Server {
	s := &Server{objects: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Kubeconfig returns a kubeconfig document for the emulator (no
// credentials: the emulator grants by its rule set).
func (s *Server) Kubeconfig() string {
	return "apiVersion: v1\nkind: Config\nclusters:\n- name: kubetest\n  cluster: {server: " + s.URL +
		"}\nusers:\n- name: regmint\n  user: {token: kubetest-not-a-secret}\ncontexts:\n- name: kubetest\n  context: {cluster: kubetest, user: regmint}\ncurrent-context: kubetest\n"
}

// SetRules replaces the rule set; nil allows everything.
func (s *Server) SetRules(rules []Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = rules
}

// Inject sets a fault function consulted before each request (nil: none).
// It runs under the emulator's lock: it must not call the Server.
func (s *Server) Inject(f func(Request) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inject = f
}

// OnWrite sets a function called after each successful write.
func (s *Server) OnWrite(f func(Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onWrite = f
}

// Requests returns every request served so far (allowed or not).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func key(r Resource, ns, name string) string { return r.Name + "/" + ns + "/" + name }

// AddNamespace creates a namespace with labels.
func (s *Server) AddNamespace(name string, lbls map[string]string) {
	s.Put(Namespaces, "", map[string]any{"metadata": map[string]any{"name": name, "labels": toAny(lbls)}, "status": map[string]any{"phase": "Active"}})
}

// AddServiceAccount creates a service account.
func (s *Server) AddServiceAccount(ns, name string) {
	s.Put(ServiceAccounts, ns, map[string]any{"metadata": map[string]any{"name": name}})
}

// AddImagePullSecret creates a TKE ImagePullSecret for server, as the TCR
// add-on does.
func (s *Server) AddImagePullSecret(name, server string) {
	s.Put(ImagePullSecret, "", map[string]any{"metadata": map[string]any{"name": name},
		"spec": map[string]any{"namespaces": "*", "serviceAccounts": "*", "docker": map[string]any{"server": server, "username": "", "password": ""}}})
}

// Put stores obj (kind, apiVersion, namespace and resourceVersion set) as
// a test fixture, replacing any object of its name.
func (s *Server) Put(r Resource, ns string, obj map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	md := obj["metadata"].(map[string]any)
	if r.Namespaced {
		md["namespace"] = ns
	}
	s.stamp(r, obj, true)
	s.objects[key(r, ns, md["name"].(string))] = obj
}

// Delete removes an object (a fixture change behind the store's back).
func (s *Server) Delete(r Resource, ns, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, key(r, ns, name))
}

// Get returns a copy of an object as the API holds it, or nil.
func (s *Server) Get(r Resource, ns, name string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[key(r, ns, name)]
	if o == nil {
		return nil
	}
	return deepCopy(o)
}

// Names lists the objects of r in ns, sorted.
func (s *Server) Names(r Resource, ns string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.objects {
		if rest, ok := strings.CutPrefix(k, r.Name+"/"+ns+"/"); ok {
			out = append(out, rest)
		}
	}
	sort.Strings(out)
	return out
}

// SecretData returns a Secret's decoded data, or nil when it is missing.
func (s *Server) SecretData(ns, name string) map[string][]byte {
	o := s.Get(Secrets, ns, name)
	if o == nil {
		return nil
	}
	out := map[string][]byte{}
	data, _ := o["data"].(map[string]any)
	for k, v := range data {
		b, _ := base64.StdEncoding.DecodeString(v.(string))
		out[k] = b
	}
	return out
}

// stamp sets kind, apiVersion and a new resourceVersion (and on create
// uid and creationTimestamp). Called with s.mu held.
func (s *Server) stamp(r Resource, obj map[string]any, create bool) {
	s.rv++
	obj["kind"] = r.Kind
	obj["apiVersion"] = r.Version
	if r.Group != "" {
		obj["apiVersion"] = r.Group + "/" + r.Version
	}
	md := obj["metadata"].(map[string]any)
	md["resourceVersion"] = strconv.FormatInt(s.rv, 10)
	if create {
		md["uid"] = fmt.Sprintf("00000000-0000-4000-8000-%012d", s.rv)
		md["creationTimestamp"] = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
}

var (
	reCore = regexp.MustCompile(`^/api/v1(?:/namespaces/([^/]+))?/([a-z]+)(?:/([^/]+))?$`)
	reCRD  = regexp.MustCompile(`^/apis/([^/]+)/([^/]+)/([a-z]+)(?:/([^/]+))?$`)
	reName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
)

// route resolves a path to its resource, namespace and name.
func route(path string) (Resource, string, string, bool) {
	if m := reCore.FindStringSubmatch(path); m != nil {
		ns, res, name := m[1], m[2], m[3]
		if res == "namespaces" && ns == "" {
			return Namespaces, "", name, true
		}
		for _, r := range []Resource{Secrets, ServiceAccounts} {
			if r.Name == res {
				return r, ns, name, true
			}
		}
		// /api/v1/namespaces/{name} matches as ns="", res=namespaces above;
		// /api/v1/namespaces/x/y with y unknown is not served.
		return Resource{}, "", "", false
	}
	if m := reCRD.FindStringSubmatch(path); m != nil {
		for _, r := range resources {
			if r.Group == m[1] && r.Version == m[2] && r.Name == m[3] {
				return r, "", m[4], true
			}
		}
	}
	return Resource{}, "", "", false
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	// /api/v1/namespaces/{name}: the regexp reads it as namespace {name}
	// with resource missing; handle the namespace object path first.
	path := req.URL.Path
	var r Resource
	var ns, name string
	var ok bool
	if rest, isNS := strings.CutPrefix(path, "/api/v1/namespaces/"); isNS && !strings.Contains(rest, "/") {
		r, name, ok = Namespaces, rest, true
	} else {
		r, ns, name, ok = route(path)
	}
	if !ok {
		writeStatus(w, 404, "NotFound", "the server could not find the requested resource", nil)
		return
	}
	verb := map[string]string{"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[req.Method]
	if req.Method == "GET" && name == "" {
		verb = "list"
		if req.URL.Query().Get("watch") == "true" || req.URL.Query().Get("watch") == "1" {
			verb = "watch"
		}
	}
	var body map[string]any
	if req.Method == "POST" || req.Method == "PUT" || req.Method == "PATCH" || (req.Method == "DELETE" && req.ContentLength != 0) {
		if ct := req.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
			writeStatus(w, 415, "UnsupportedMediaType", "the emulator reads JSON bodies only, not "+ct, nil)
			return
		}
		raw, err := io.ReadAll(io.LimitReader(req.Body, 3<<20))
		if err == nil && len(raw) > 0 {
			err = json.Unmarshal(raw, &body)
		}
		if err != nil {
			writeStatus(w, 400, "BadRequest", "the body is not a JSON object", nil)
			return
		}
	}
	if verb == "create" && body != nil {
		if md, _ := body["metadata"].(map[string]any); md != nil {
			name, _ = md["name"].(string)
		}
	}
	rq := Request{Verb: verb, Group: r.Group, Resource: r.Name, Namespace: ns, Name: name}
	if verb == "create" {
		rq.Name = ""
	}
	s.mu.Lock()
	s.log = append(s.log, rq)
	if s.inject != nil {
		if f := s.inject(rq); f != nil {
			s.mu.Unlock()
			writeStatus(w, f.Code, f.Reason, f.Message, nil)
			return
		}
	}
	if s.rules != nil && !slices.ContainsFunc(s.rules, func(ru Rule) bool { return ru.Allows(rq) }) {
		s.mu.Unlock()
		writeStatus(w, 403, "Forbidden", forbidden(rq), details(r, name))
		return
	}
	code, out, fail := s.handle(rq, r, req, body)
	onWrite := s.onWrite
	var raw []byte
	if fail == nil {
		raw, _ = json.Marshal(out)
	}
	s.mu.Unlock()
	if fail != nil {
		writeStatus(w, code, fail.Reason, fail.Message, details(r, name))
		return
	}
	if onWrite != nil && verb != "get" && verb != "list" {
		onWrite(rq)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(raw)
}

// forbidden is the API server's RBAC message.
func forbidden(rq Request) string {
	what := rq.Resource
	if rq.Name != "" {
		what += " \"" + rq.Name + "\""
	}
	msg := fmt.Sprintf("%s is forbidden: User \"system:serviceaccount:regmint:regmint\" cannot %s resource \"%s\" in API group \"%s\"", what, rq.Verb, rq.Resource, rq.Group)
	if rq.Namespace != "" {
		return msg + " in the namespace \"" + rq.Namespace + "\""
	}
	return msg + " at the cluster scope"
}

func details(r Resource, name string) map[string]any {
	d := map[string]any{"kind": r.Name}
	if r.Group != "" {
		d["group"] = r.Group
	}
	if name != "" {
		d["name"] = name
	}
	return d
}

// handle serves an allowed request. Called with s.mu held.
func (s *Server) handle(rq Request, r Resource, req *http.Request, body map[string]any) (int, any, *Fault) {
	ns := rq.Namespace
	k := key(r, ns, rq.Name)
	notFound := &Fault{Code: 404, Reason: "NotFound", Message: fmt.Sprintf("%s \"%s\" not found", r.Name, rq.Name)}
	if r.Namespaced && ns != "" && s.objects[key(Namespaces, "", ns)] == nil && rq.Verb != "list" {
		return 404, nil, &Fault{Code: 404, Reason: "NotFound", Message: fmt.Sprintf("namespaces \"%s\" not found", ns)}
	}
	switch rq.Verb {
	case "watch":
		return 405, nil, &Fault{Code: 405, Reason: "MethodNotAllowed", Message: "watch is not served by this emulator"}
	case "get":
		o := s.objects[k]
		if o == nil {
			return 404, nil, notFound
		}
		return 200, o, nil
	case "list":
		sel := labels.Everything()
		if q := req.URL.Query().Get("labelSelector"); q != "" {
			var err error
			if sel, err = labels.Parse(q); err != nil {
				return 400, nil, &Fault{Code: 400, Reason: "BadRequest", Message: "unable to parse requirement: " + err.Error()}
			}
		}
		items := []any{}
		var keys []string
		for key := range s.objects {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		prefix := r.Name + "/"
		if ns != "" {
			prefix += ns + "/"
		}
		for _, key := range keys {
			if !strings.HasPrefix(key, prefix) {
				continue
			}
			o := s.objects[key]
			md := o["metadata"].(map[string]any)
			if sel.Matches(labels.Set(toStrings(md["labels"]))) {
				items = append(items, o)
			}
		}
		apiVersion := r.Version
		if r.Group != "" {
			apiVersion = r.Group + "/" + r.Version
		}
		return 200, map[string]any{"kind": r.Kind + "List", "apiVersion": apiVersion,
			"metadata": map[string]any{"resourceVersion": strconv.FormatInt(s.rv, 10)}, "items": items}, nil
	case "create":
		md, _ := body["metadata"].(map[string]any)
		rq.Name, _ = md["name"].(string)
		if md == nil || rq.Name == "" || len(rq.Name) > 253 || !reName.MatchString(rq.Name) {
			return 422, nil, &Fault{Code: 422, Reason: "Invalid", Message: fmt.Sprintf("%s \"%s\" is invalid: metadata.name: Invalid value", r.Kind, rq.Name)}
		}
		k = key(r, ns, rq.Name)
		if s.objects[k] != nil {
			return 409, nil, &Fault{Code: 409, Reason: "AlreadyExists", Message: fmt.Sprintf("%s \"%s\" already exists", r.Name, rq.Name)}
		}
		if f := validate(r, body, nil); f != nil {
			return f.Code, nil, f
		}
		if r.Namespaced {
			md["namespace"] = ns
		}
		delete(md, "resourceVersion")
		s.stamp(r, body, true)
		s.objects[k] = body
		return 201, body, nil
	case "update", "patch", "delete":
		cur := s.objects[k]
		if cur == nil {
			return 404, nil, notFound
		}
		curRV := cur["metadata"].(map[string]any)["resourceVersion"].(string)
		var next map[string]any
		switch rq.Verb {
		case "update":
			next = body
		case "patch":
			if ct := req.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/merge-patch+json") {
				return 415, nil, &Fault{Code: 415, Reason: "UnsupportedMediaType", Message: "the emulator serves merge patches only, not " + ct}
			}
			next = mergePatch(deepCopy(cur), body).(map[string]any)
		case "delete":
			if pre, _ := body["preconditions"].(map[string]any); pre != nil {
				if want, _ := pre["resourceVersion"].(string); want != "" && want != curRV {
					return 409, nil, conflict(r, rq.Name)
				}
			}
			delete(s.objects, k)
			return 200, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Success", "metadata": map[string]any{}}, nil
		}
		md, _ := next["metadata"].(map[string]any)
		if md == nil {
			return 422, nil, &Fault{Code: 422, Reason: "Invalid", Message: "metadata is required"}
		}
		if n, _ := md["name"].(string); n != rq.Name {
			return 400, nil, &Fault{Code: 400, Reason: "BadRequest", Message: "the name of the object does not match the name on the URL"}
		}
		if rv, _ := md["resourceVersion"].(string); rv != "" && rv != curRV {
			return 409, nil, conflict(r, rq.Name)
		} else if rv == "" && rq.Verb == "update" {
			return 422, nil, &Fault{Code: 422, Reason: "Invalid", Message: fmt.Sprintf("%s \"%s\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", r.Kind, rq.Name)}
		}
		if f := validate(r, next, cur); f != nil {
			return f.Code, nil, f
		}
		cmd := cur["metadata"].(map[string]any)
		for _, f := range []string{"uid", "creationTimestamp", "namespace"} {
			if v, ok := cmd[f]; ok {
				md[f] = v
			}
		}
		s.stamp(r, next, false)
		s.objects[k] = next
		return 200, next, nil
	}
	return 405, nil, &Fault{Code: 405, Reason: "MethodNotAllowed", Message: "method not allowed"}
}

func conflict(r Resource, name string) *Fault {
	return &Fault{Code: 409, Reason: "Conflict", Message: fmt.Sprintf("Operation cannot be fulfilled on %s \"%s\": the object has been modified; please apply your changes to the latest version and try again", r.Name, name)}
}

// validate checks what the API server checks of the fields regmint
// writes: a Secret's data is base64 under 1 MiB and its type immutable;
// ServiceAccount imagePullSecrets are references by name.
func validate(r Resource, obj, cur map[string]any) *Fault {
	invalid := func(msg string) *Fault {
		return &Fault{Code: 422, Reason: "Invalid", Message: r.Kind + " is invalid: " + msg}
	}
	switch r {
	case Secrets:
		typ, _ := obj["type"].(string)
		if typ == "" {
			typ = "Opaque"
			obj["type"] = typ
		}
		if cur != nil && cur["type"] != typ {
			return invalid("type: Invalid value: field is immutable")
		}
		data, _ := obj["data"].(map[string]any)
		size := 0
		for k, v := range data {
			s, ok := v.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if !ok || err != nil {
				return invalid("data[" + k + "]: not base64")
			}
			size += len(b)
		}
		if size > 1<<20 {
			return invalid("data: Too long: must have at most 1048576 bytes")
		}
		if typ == "kubernetes.io/dockerconfigjson" {
			s, _ := data[".dockerconfigjson"].(string)
			b, _ := base64.StdEncoding.DecodeString(s)
			var doc map[string]any
			if json.Unmarshal(b, &doc) != nil {
				return invalid("data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character")
			}
		}
	case ServiceAccounts:
		list, _ := obj["imagePullSecrets"].([]any)
		for _, it := range list {
			m, _ := it.(map[string]any)
			if n, _ := m["name"].(string); n == "" {
				return invalid("imagePullSecrets: each needs a name")
			}
		}
	}
	return nil
}

// mergePatch applies an RFC 7386 JSON merge patch.
func mergePatch(target any, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = mergePatch(t[k], v)
	}
	return t
}

func writeStatus(w http.ResponseWriter, code int, reason, msg string, det map[string]any) {
	st := map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure",
		"message": msg, "reason": reason, "code": code}
	if det != nil {
		st["details"] = det
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(st)
}

func deepCopy(o map[string]any) map[string]any {
	b, _ := json.Marshal(o)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func toStrings(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}
