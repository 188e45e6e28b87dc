// Package kubespec is the configuration side of the Kubernetes store
// kinds: their names, destination keys and checks, without client-go. The
// rotation function's Lambda build lists these kinds (so that a config
// naming them parses and fails with a clear message) without linking the
// Kubernetes client; core/store/kubernetes opens them.
package kubespec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// Kind names.
const (
	// KindName writes kubernetes.io/dockerconfigjson Secrets.
	KindName = "kubernetes"
	// TKEKindName updates the TCR add-on's ImagePullSecret resource
	// (imagepullsecrets.tcr.tencentcloudcr.com/v1) on TKE.
	TKEKindName = "tke-image-pull-secret"
)

// Keys are the destination keys of store kubernetes.
var keys = []string{"namespaces", "namespace-selector", "secret-name", "service-accounts", "delete-stale"}

// tkeKeys are the destination keys of store tke-image-pull-secret.
var tkeKeys = []string{"secret-name"}

const (
	acceptedNamespaces = "exactly one of namespaces: [<namespace>, ...] or namespace-selector: <label selector>"
	acceptedDNSLabel   = "a Kubernetes namespace name: lowercase letters, digits and -, at most 63, starting and ending with a letter or digit"
	acceptedDNSName    = "a Kubernetes object name: lowercase letters, digits, - and ., at most 253, starting and ending with a letter or digit"
	acceptedRef        = "letters, digits and - _ . (at most 63), starting and ending with a letter or digit: the key of the target's part in the Secret's annotations"
	acceptedSelector   = "a label selector: key=value, key!=value, key in (a,b), key notin (a,b), key or !key, joined by commas"
)

// Compiled on first use: their counted repetitions cost about a
// millisecond to compile, which every start of the programs that link this
// package (the rotation function's cold start among them) paid.
var (
	reDNSLabel = core.NewLazyRegexp(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	reDNSName  = core.NewLazyRegexp(`^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$`)
	// reQualified is a label key's name part, an annotation key's name and
	// a label value (when not empty).
	reQualified = core.NewLazyRegexp(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
)

// Kind returns the spec of store kubernetes: a destination writes a
// kubernetes.io/dockerconfigjson Secret named secret-name (default: the
// ref) to the listed namespaces or those matching namespace-selector,
// holding the target's registry under the ref's part; service-accounts
// gain it in their imagePullSecrets.
func Kind() config.StoreKind {
	return config.StoreKind{
		Name:  KindName,
		Keys:  slices.Clone(keys),
		Check: checkKubernetes,
		Key: func(d config.Destination) string {
			return SecretName(d) + "\x00" + namespaceScope(d) + "\x00" + d.Ref
		},
		Scope: func(d config.Destination) string { return "secret " + SecretName(d) + " in " + namespaceScope(d) },
	}
}

// TKEKind returns the spec of store tke-image-pull-secret: a destination
// updates spec.docker.username and password of the cluster's
// ImagePullSecret resource named secret-name (default: the ref), which
// the TCR add-on copies into pull secrets.
func TKEKind() config.StoreKind {
	return config.StoreKind{
		Name:  TKEKindName,
		Keys:  slices.Clone(tkeKeys),
		Check: checkTKE,
		Key:   func(d config.Destination) string { return SecretName(d) },
		Scope: func(d config.Destination) string { return "imagepullsecret " + SecretName(d) },
	}
}

// SecretName is the object a destination writes: secret-name, else the ref.
func SecretName(d config.Destination) string {
	if d.SecretName != "" {
		return d.SecretName
	}
	return d.Ref
}

// namespaceScope names a destination's namespaces for reports and keys.
func namespaceScope(d config.Destination) string {
	if d.NamespaceSelector != "" {
		return "namespaces matching " + d.NamespaceSelector
	}
	return "namespaces " + strings.Join(d.Namespaces, ",")
}

func checkKubernetes(_ *config.Config, d config.Destination) []*core.FieldError {
	var errs []*core.FieldError
	add := func(field, problem, accepted string) {
		errs = append(errs, &core.FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	switch {
	case len(d.Namespaces) > 0 && d.NamespaceSelector != "":
		add("", "sets both namespaces and namespace-selector", acceptedNamespaces)
	case len(d.Namespaces) == 0 && d.NamespaceSelector == "":
		add("namespaces", "is required (or namespace-selector)", acceptedNamespaces)
	}
	seen := map[string]bool{}
	for _, ns := range d.Namespaces {
		switch {
		case !reDNSLabel.MatchString(ns):
			add("namespaces[]", fmt.Sprintf("%q is not a namespace name", ns), acceptedDNSLabel)
		case seen[ns]:
			add("namespaces[]", fmt.Sprintf("%q is listed twice", ns), "each namespace once")
		}
		seen[ns] = true
	}
	if d.NamespaceSelector != "" {
		if err := CheckSelector(d.NamespaceSelector); err != nil {
			add("namespace-selector", fmt.Sprintf("%q is not a label selector: %v", d.NamespaceSelector, err), acceptedSelector)
		}
	}
	errs = append(errs, checkNames(d)...)
	seen = map[string]bool{}
	for _, sa := range d.ServiceAccounts {
		switch {
		case !reDNSName.MatchString(sa):
			add("service-accounts[]", fmt.Sprintf("%q is not a service account name", sa), acceptedDNSName)
		case seen[sa]:
			add("service-accounts[]", fmt.Sprintf("%q is listed twice", sa), "each service account once")
		}
		seen[sa] = true
	}
	return errs
}

func checkTKE(_ *config.Config, d config.Destination) []*core.FieldError {
	return checkNames(d)
}

// checkNames checks the ref (an annotation key's name) and the object name.
func checkNames(d config.Destination) []*core.FieldError {
	var errs []*core.FieldError
	if !reQualified.MatchString(d.Ref) {
		errs = append(errs, &core.FieldError{Field: "ref", Problem: fmt.Sprintf("%q is not a valid ref for %s", d.Ref, d.Store), Accepted: acceptedRef})
	}
	name := SecretName(d)
	switch {
	case len(name) > 253 || !reDNSName.MatchString(name):
		if d.SecretName == "" {
			errs = append(errs, &core.FieldError{Field: "secret-name", Problem: fmt.Sprintf("is not set, and the ref %q is not an object name", d.Ref), Accepted: acceptedDNSName})
		} else {
			errs = append(errs, &core.FieldError{Field: "secret-name", Problem: fmt.Sprintf("%q is not an object name", name), Accepted: acceptedDNSName})
		}
	}
	return errs
}

// CheckSelector checks a label selector's syntax as the API server reads
// it (k8s.io/apimachinery/pkg/labels.Parse): requirements joined by
// commas, each key, !key, key=value, key==value, key!=value, key in (...)
// or key notin (...).
func CheckSelector(s string) error {
	reqs, err := splitRequirements(s)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if err := checkRequirement(strings.TrimSpace(r)); err != nil {
			return err
		}
	}
	return nil
}

// splitRequirements splits at the commas outside parentheses.
func splitRequirements(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			if depth++; depth > 1 {
				return nil, fmt.Errorf("nested parentheses")
			}
		case ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced parentheses")
			}
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced parentheses")
	}
	return append(out, s[start:]), nil
}

func checkRequirement(r string) error {
	if r == "" {
		return fmt.Errorf("an empty requirement")
	}
	if key, ok := strings.CutPrefix(r, "!"); ok {
		return checkLabelKey(strings.TrimSpace(key))
	}
	for _, op := range []string{" notin ", " in "} {
		if key, set, ok := strings.Cut(r, op); ok {
			if err := checkLabelKey(strings.TrimSpace(key)); err != nil {
				return err
			}
			set = strings.TrimSpace(set)
			if !strings.HasPrefix(set, "(") || !strings.HasSuffix(set, ")") {
				return fmt.Errorf("%s needs a parenthesized set", strings.TrimSpace(op))
			}
			for _, v := range strings.Split(set[1:len(set)-1], ",") {
				if err := checkLabelValue(strings.TrimSpace(v)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for _, op := range []string{"!=", "==", "="} {
		if key, v, ok := strings.Cut(r, op); ok {
			if err := checkLabelKey(strings.TrimSpace(key)); err != nil {
				return err
			}
			return checkLabelValue(strings.TrimSpace(v))
		}
	}
	if strings.ContainsAny(r, " ()<>") {
		return fmt.Errorf("an unknown operator")
	}
	return checkLabelKey(r)
}

func checkLabelKey(k string) error {
	name := k
	if prefix, n, ok := strings.Cut(k, "/"); ok {
		if len(prefix) > 253 || !reDNSName.MatchString(prefix) {
			return fmt.Errorf("key prefix %q is not a DNS subdomain", prefix)
		}
		name = n
	}
	if !reQualified.MatchString(name) {
		return fmt.Errorf("key %q is not a label key", k)
	}
	return nil
}

func checkLabelValue(v string) error {
	if v != "" && !reQualified.MatchString(v) {
		return fmt.Errorf("value %q is not a label value", v)
	}
	return nil
}
