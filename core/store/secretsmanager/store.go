package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
)

// DefaultPrefix is put in front of every ref to make the secret name.
const DefaultPrefix = "regmint/"

// StageCurrent is the staging label of the version consumers read.
const StageCurrent = "AWSCURRENT"

// maxNameLen is the longest secret name Secrets Manager accepts.
const maxNameLen = 512

// validName is the character set of secret names.
var validName = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]*$`)

// validARN loosely matches a Secrets Manager secret ARN.
var validARN = regexp.MustCompile(`^arn:[a-z0-9-]+:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)

// Store keeps credentials in Secrets Manager secrets. It is safe for
// concurrent use.
type Store struct {
	api      API
	prefix   string
	kmsKeyID string
	// hints are what the last reads found, for the next writes (write.go).
	hints hints
}

var (
	_ core.Store        = (*Store)(nil)
	_ core.RecordReader = (*Store)(nil)
)

// Option configures a Store.
type Option func(*Store) error

// WithPrefix sets the name prefix of the secrets (default DefaultPrefix);
// "" uses refs as names as they are. IAM policies can then grant access to
// "arn:...:secret:<prefix>*" only.
func WithPrefix(prefix string) Option {
	return func(s *Store) error {
		if !validName.MatchString(prefix) || len(prefix) >= maxNameLen {
			return fmt.Errorf("secret name prefix %q: only letters, digits and /_+=.@- are allowed", prefix)
		}
		s.prefix = prefix
		return nil
	}
}

// WithKMSKeyID sets the KMS key (id, ARN or alias) that secrets created by
// the store are encrypted with; default: the account's aws/secretsmanager
// key. A secret read from another account needs a customer managed key.
func WithKMSKeyID(id string) Option {
	return func(s *Store) error {
		if strings.TrimSpace(id) == "" {
			return errors.New("kms key id is empty")
		}
		s.kmsKeyID = id
		return nil
	}
}

// New returns a Store that calls api (a *secretsmanager.Client from
// NewClient, or a fake).
func New(api API, opts ...Option) (*Store, error) {
	if api == nil {
		return nil, errors.New("secretsmanager store: no client")
	}
	s := &Store{api: api, prefix: DefaultPrefix}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, fmt.Errorf("secretsmanager store: %w", err)
		}
	}
	return s, nil
}

// SecretID returns the secret that holds ref: the prefix followed by ref,
// or ref itself if it is a secret ARN (such a secret must exist already:
// Put creates secrets by name only). A ref that cannot name a secret is an
// error.
func (s *Store) SecretID(ref string) (string, error) {
	if strings.HasPrefix(ref, "arn:") {
		if !validARN.MatchString(ref) {
			return "", fmt.Errorf("secretsmanager ref %q: not a secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)", ref)
		}
		return ref, nil
	}
	name := s.prefix + ref
	switch {
	case ref == "":
		return "", errors.New("secretsmanager ref is empty")
	case !validName.MatchString(ref):
		return "", fmt.Errorf("secretsmanager ref %q: only letters, digits and /_+=.@- are allowed in secret names", ref)
	case len(name) > maxNameLen:
		return "", fmt.Errorf("secretsmanager ref %q: the secret name %s... is longer than %d characters", ref, name[:32], maxNameLen)
	}
	return name, nil
}

// Get returns the metadata of the AWSCURRENT value of ref's secret, read
// with one GetSecretValue. The error wraps core.ErrNotFound if the secret
// or its current value does not exist, or if the value is not one regmint
// wrote (e.g. a placeholder from a template): then there is nothing to keep
// fresh, and Put may replace it. A regmint value with a broken field is an
// error of its own.
func (s *Store) Get(ctx context.Context, ref string) (core.Stored, error) {
	id, val, version, err := s.current(ctx, ref)
	if err != nil {
		return core.Stored{}, err
	}
	st, err := decodeMetadata(val)
	if err != nil {
		return core.Stored{}, decodeError(id, err)
	}
	s.hints.Store(id, hint{version: version})
	return st, nil
}

// ReadRecord returns the AWSCURRENT value of ref's secret, password
// included, read with one GetSecretValue; its errors are Get's and never
// quote the value. The rotation engine reads through it to check the
// stored credential against its registry.
func (s *Store) ReadRecord(ctx context.Context, ref string) (core.Record, error) {
	id, val, version, err := s.current(ctx, ref)
	if err != nil {
		return core.Record{}, err
	}
	r, err := decodeRecord(val)
	if err != nil {
		return core.Record{}, decodeError(id, err)
	}
	s.hints.Store(id, hint{version: version})
	return r, nil
}

// current reads the AWSCURRENT value of ref's secret and returns the
// secret id and the version id with it. The value is secret.
func (s *Store) current(ctx context.Context, ref string) (id, value, version string, err error) {
	id, err = s.SecretID(ref)
	if err != nil {
		return "", "", "", err
	}
	s.hints.forget(id)
	out, err := s.api.GetSecretValue(ctx, &sm.GetSecretValueInput{
		SecretId:     aws.String(id),
		VersionStage: aws.String(StageCurrent),
	})
	if err != nil {
		if isNotFound(err) && !strings.Contains(err.Error(), "secret value") {
			// The secret is missing (not just its value: "can't find the
			// specified secret value for staging label").
			s.hints.Store(id, hint{absent: true})
		}
		return "", "", "", opError("GetSecretValue", id, err)
	}
	if out.SecretString == nil {
		return "", "", "", fmt.Errorf("secretsmanager GetSecretValue %s: %w: %w: value is binary", id, core.ErrNotFound, errNotRegmint)
	}
	return id, *out.SecretString, aws.ToString(out.VersionId), nil
}

// decodeError wraps an error decoding the value of secret id: a value
// regmint did not write is not found.
func decodeError(id string, err error) error {
	if errors.Is(err, errNotRegmint) {
		return fmt.Errorf("secretsmanager GetSecretValue %s: %w: %w", id, core.ErrNotFound, err)
	}
	return fmt.Errorf("secretsmanager GetSecretValue %s: %w", id, err)
}

// Put stores r as the AWSCURRENT value of ref's secret, creating the secret
// if it is missing. It writes nothing if the current value already is r.
// Every write carries a request token derived from the value, so retries
// (the SDK's or the caller's) never store it twice.
func (s *Store) Put(ctx context.Context, ref string, r core.Record) error {
	id, err := s.SecretID(ref)
	if err != nil {
		return err
	}
	val, err := encodeValue(r)
	if err != nil {
		return fmt.Errorf("secretsmanager put %s: %w", id, err)
	}
	token := requestToken(id, val)
	if done, err := s.putByHint(ctx, id, val, token, r.Credential.Registry); done {
		return err
	}

	desc, err := s.api.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
	if isNotFound(err) {
		if strings.HasPrefix(id, "arn:") {
			return fmt.Errorf("%w (a secret given by ARN is not created: create it, or give a name)", opError("DescribeSecret", id, err))
		}
		err = s.create(ctx, id, val, token, r.Credential.Registry)
		if err == nil || !isExists(err) {
			return err
		}
		// Created meanwhile by someone else: write a new version.
		desc, err = s.api.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
	}
	if err != nil {
		return opError("DescribeSecret", id, err)
	}
	if desc.DeletedDate != nil {
		return fmt.Errorf("secretsmanager put %s: the secret is scheduled for deletion: restore it (RestoreSecret) or choose another name", id)
	}
	if stageOwner(desc.VersionIdsToStages, StageCurrent) == token {
		return nil // unchanged
	}
	if err := s.checkOverwrite(ctx, id, desc); err != nil {
		return err
	}
	out, err := s.api.PutSecretValue(ctx, &sm.PutSecretValueInput{
		SecretId:           aws.String(id),
		ClientRequestToken: aws.String(token),
		SecretString:       aws.String(val),
	})
	if err != nil {
		return opError("PutSecretValue", id, err)
	}
	if slices.Contains(out.VersionStages, StageCurrent) {
		return nil
	}
	// The version existed (this value was stored before) and the put was
	// a no-op: move AWSCURRENT back to it.
	return s.makeCurrent(ctx, id, token)
}

func (s *Store) create(ctx context.Context, id, val, token, registry string) error {
	in := &sm.CreateSecretInput{
		Name:               aws.String(id),
		ClientRequestToken: aws.String(token),
		SecretString:       aws.String(val),
		Description:        aws.String("Docker login for " + registry + ", kept fresh by regmint."),
	}
	if s.kmsKeyID != "" {
		in.KmsKeyId = aws.String(s.kmsKeyID)
	}
	if _, err := s.api.CreateSecret(ctx, in); err != nil {
		return opError("CreateSecret", id, err)
	}
	return nil
}

// makeCurrent attaches AWSCURRENT to version, wherever it is now.
func (s *Store) makeCurrent(ctx context.Context, id, version string) error {
	desc, err := s.api.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(id)})
	if err != nil {
		return opError("DescribeSecret", id, err)
	}
	cur := stageOwner(desc.VersionIdsToStages, StageCurrent)
	if cur == version {
		return nil
	}
	in := &sm.UpdateSecretVersionStageInput{
		SecretId:        aws.String(id),
		VersionStage:    aws.String(StageCurrent),
		MoveToVersionId: aws.String(version),
	}
	if cur != "" {
		in.RemoveFromVersionId = aws.String(cur)
	}
	if _, err := s.api.UpdateSecretVersionStage(ctx, in); err != nil {
		return opError("UpdateSecretVersionStage", id, err)
	}
	return nil
}

// stageOwner returns the version id that holds stage, or "".
func stageOwner(versions map[string][]string, stage string) string {
	for id, stages := range versions {
		if slices.Contains(stages, stage) {
			return id
		}
	}
	return ""
}
