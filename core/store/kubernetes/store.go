package kubernetes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

// maxAttempts bounds the read-modify-write of one object under conflicts.
const maxAttempts = 8

// Config is what one kubernetes destination writes.
type Config struct {
	// SecretName is the Secret's name.
	SecretName string
	// Namespaces lists the namespaces; Selector (a label selector) picks
	// them on every call instead.
	Namespaces []string
	Selector   string
	// ServiceAccounts gain the Secret in their imagePullSecrets.
	ServiceAccounts []string
	// Keep, when set, says which refs' parts may stay in the Secret (the
	// refs the config writes to it); others are removed on a write
	// (delete-stale). Nil keeps every part.
	Keep func(ref string) bool
}

// Store writes one destination's pull secret. Safe for concurrent use.
type Store struct {
	c   *Client
	cfg Config
	log *slog.Logger
}

// New returns the store of one destination.
func New(c *Client, cfg Config, log *slog.Logger) (*Store, error) {
	if c == nil {
		return nil, errors.New("kubernetes store: no client")
	}
	if cfg.SecretName == "" || (len(cfg.Namespaces) == 0) == (cfg.Selector == "") {
		return nil, errors.New("kubernetes store: a secret name and exactly one of namespaces or a selector are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{c: c, cfg: cfg, log: log}, nil
}

// Namespaces returns the destination's namespaces now: the list, or the
// active namespaces the selector matches.
func (s *Store) Namespaces(ctx context.Context) ([]string, error) {
	if s.cfg.Selector == "" {
		return s.cfg.Namespaces, nil
	}
	return s.c.selectNamespaces(ctx, s.cfg.Selector)
}

func (c *Client) selectNamespaces(ctx context.Context, selector string) ([]string, error) {
	items, err := c.listNamespaces(ctx, selector)
	if err != nil {
		return nil, apiError(err, "list namespaces matching "+selector)
	}
	var out []string
	for _, ns := range items {
		if ns.Status.Phase == corev1.NamespaceTerminating || ns.DeletionTimestamp != nil {
			continue
		}
		out = append(out, ns.Name)
	}
	slices.Sort(out)
	return out, nil
}

// Get implements core.Store.
func (s *Store) Get(ctx context.Context, ref string) (core.Stored, error) {
	rec, err := s.ReadRecord(ctx, ref)
	if err != nil {
		return core.Stored{}, err
	}
	return rec.Stored(), nil
}

// ReadRecord implements core.RecordReader: the newest part of ref among
// the namespaces (by issue time). A namespace that lacks it, or holds an
// older one, gets a copy first: a namespace that appeared since the last
// write is served now. A namespace the service account may not read or
// write (403) is left out, and logged; a Put reports it.
func (s *Store) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	nss, err := s.Namespaces(ctx)
	if err != nil {
		return core.Record{}, err
	}
	if len(nss) == 0 {
		return core.Record{}, fmt.Errorf("no namespace matches namespace-selector %q", s.cfg.Selector)
	}
	type state struct {
		ns  string
		rec *core.Record
	}
	var states []state
	var denied []string
	var newest *core.Record
	for _, ns := range nss {
		sec, err := s.c.getSecret(ctx, ns, s.cfg.SecretName)
		switch {
		case apierrors.IsNotFound(err):
			states = append(states, state{ns: ns})
			continue
		case apierrors.IsForbidden(err):
			denied = append(denied, ns)
			continue
		case err != nil:
			return core.Record{}, apiError(err, "read secret "+ns+"/"+s.cfg.SecretName)
		}
		where := "secret " + ns + "/" + s.cfg.SecretName
		if why := foreign(sec); why != "" {
			return core.Record{}, &ForeignError{Namespace: ns, Name: s.cfg.SecretName, Why: why}
		}
		ps, err := decodeSecret(sec, where)
		if err != nil {
			return core.Record{}, err
		}
		rec, err := ps.Record(ref, where)
		if err != nil {
			return core.Record{}, err
		}
		states = append(states, state{ns: ns, rec: rec})
		if rec != nil && (newest == nil || rec.IssuedAt.After(newest.IssuedAt) ||
			(rec.IssuedAt.Equal(newest.IssuedAt) && rec.Credential.TokenID > newest.Credential.TokenID)) {
			newest = rec
		}
	}
	if len(states) == 0 {
		return core.Record{}, fmt.Errorf("may not read secret %s in any of namespaces %s (403 forbidden): grant get on secrets there (deploy/kubernetes)", s.cfg.SecretName, strings.Join(denied, ", "))
	}
	if len(denied) > 0 {
		s.log.LogAttrs(ctx, slog.LevelWarn, "kubernetes: may not read the pull secret", slog.String("secret", s.cfg.SecretName), slog.String("namespaces", strings.Join(denied, ",")))
	}
	if newest == nil {
		return core.Record{}, fmt.Errorf("%s in %s: %w", ref, strings.Join(nss, ","), core.ErrNotFound)
	}
	for _, st := range states {
		if st.rec != nil && sameRecord(st.rec, newest) {
			continue
		}
		err := s.write(ctx, st.ns, ref, *newest)
		switch {
		case apierrors.IsForbidden(err):
			s.log.LogAttrs(ctx, slog.LevelWarn, "kubernetes: may not copy the pull secret", slog.String("secret", s.cfg.SecretName), slog.String("namespace", st.ns))
		case err != nil:
			return core.Record{}, fmt.Errorf("namespace %s lags behind the others and could not be brought up to date: %w", st.ns, err)
		default:
			s.log.LogAttrs(ctx, slog.LevelInfo, "kubernetes: copied the current pull secret", slog.String("secret", s.cfg.SecretName), slog.String("namespace", st.ns), slog.String("ref", ref))
		}
	}
	return *newest, nil
}

func sameRecord(a, b *core.Record) bool {
	return a.Credential.Password == b.Credential.Password && storemeta.OfRecord(*a) == storemeta.OfRecord(*b)
}

// Put implements core.Store: ref's part is written to every namespace.
// The error names each namespace that failed; the others hold r.
func (s *Store) Put(ctx context.Context, ref string, r core.Record) error {
	if err := r.Credential.Check(); err != nil {
		return fmt.Errorf("kubernetes store: %w", err)
	}
	nss, err := s.Namespaces(ctx)
	if err != nil {
		return err
	}
	if len(nss) == 0 {
		return fmt.Errorf("no namespace matches namespace-selector %q", s.cfg.Selector)
	}
	var errs []error
	for _, ns := range nss {
		if err := s.write(ctx, ns, ref, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// write sets ref's part of the Secret in ns (creating it), retrying on
// conflicts, then adds it to the service accounts.
func (s *Store) write(ctx context.Context, ns, ref string, r core.Record) error {
	name := s.cfg.SecretName
	where := "secret " + ns + "/" + name
	for attempt := 1; ; attempt++ {
		sec, err := s.c.getSecret(ctx, ns, name)
		create := apierrors.IsNotFound(err)
		switch {
		case create:
			sec = &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
		case err != nil:
			return apiError(err, "read "+where)
		default:
			if why := foreign(sec); why != "" {
				return &ForeignError{Namespace: ns, Name: name, Why: why}
			}
		}
		ps, err := decodeSecret(sec, where)
		if err != nil {
			return err
		}
		if err := ps.Set(ref, r, s.cfg.Keep); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if err := encodeSecret(ps, sec); err != nil {
			return err
		}
		err = s.c.writeSecret(ctx, sec, create)
		if (apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err)) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			verb := "update "
			if create {
				verb = "create "
			}
			return apiError(err, verb+where)
		}
		break
	}
	for _, sa := range s.cfg.ServiceAccounts {
		if err := s.c.addPullSecret(ctx, ns, sa, name); err != nil {
			return err
		}
	}
	return nil
}

// addPullSecret adds secret to the service account's imagePullSecrets, by
// a merge patch carrying the resourceVersion read (retried on conflict).
func (c *Client) addPullSecret(ctx context.Context, ns, sa, secret string) error {
	where := "serviceaccount " + ns + "/" + sa
	for attempt := 1; ; attempt++ {
		obj, err := c.getServiceAccount(ctx, ns, sa)
		if err != nil {
			return apiError(err, "read "+where)
		}
		if slices.ContainsFunc(obj.ImagePullSecrets, func(r corev1.LocalObjectReference) bool { return r.Name == secret }) {
			return nil
		}
		list := append(slices.Clone(obj.ImagePullSecrets), corev1.LocalObjectReference{Name: secret})
		patch, err := json.Marshal(map[string]any{
			"metadata":         map[string]any{"resourceVersion": obj.ResourceVersion},
			"imagePullSecrets": list,
		})
		if err != nil {
			return fmt.Errorf("patch %s: %w", where, err)
		}
		err = c.patchServiceAccount(ctx, ns, sa, patch)
		if apierrors.IsConflict(err) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return apiError(err, "patch "+where)
		}
		return nil
	}
}

// APIError is an error answer of the API server, without any request or
// object content.
type APIError struct {
	// Op says what was asked ("update secret apps/pull").
	Op string
	// Status is the HTTP status; Reason the API's (Forbidden, Conflict).
	Status int
	Reason string
	// Message is the server's message, control characters removed and cut
	// to 300 characters (it is untrusted).
	Message string
	cause   error
}

func (e *APIError) Error() string {
	msg := e.Op + ": "
	if e.Status != 0 {
		msg += fmt.Sprintf("HTTP %d %s: ", e.Status, e.Reason)
	}
	msg += e.Message
	switch e.Status {
	case 403:
		msg += " (the service account's RBAC does not allow it: see deploy/kubernetes)"
	case 409:
		msg += " (it kept changing under concurrent writers)"
	}
	return msg
}

// Unwrap returns the client-go error, for apierrors.IsForbidden and the like.
func (e *APIError) Unwrap() error { return e.cause }

// apiError wraps a client-go error.
func apiError(err error, op string) error {
	if err == nil {
		return nil
	}
	var st apierrors.APIStatus
	if errors.As(err, &st) {
		s := st.Status()
		return &APIError{Op: op, Status: int(s.Code), Reason: string(s.Reason), Message: clean(s.Message), cause: err}
	}
	return &APIError{Op: op, Message: clean(err.Error()), cause: err}
}

// clean makes untrusted text one printable line of at most 300 runes.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || !unicode.IsPrint(r) && r != ' ' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "..."
	}
	return s
}
