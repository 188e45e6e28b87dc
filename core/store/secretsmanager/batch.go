package secretsmanager

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/regmint/regmint/core"
)

// BatchAPI is the batch read of the Secrets Manager client;
// *secretsmanager.Client satisfies it. A Store whose API also implements
// it reads many secrets per call (ReadRecords).
type BatchAPI interface {
	// BatchGetSecretValue reads the AWSCURRENT values of up to 20 secrets.
	BatchGetSecretValue(ctx context.Context, in *sm.BatchGetSecretValueInput, optFns ...func(*sm.Options)) (*sm.BatchGetSecretValueOutput, error)
}

var _ BatchAPI = (*sm.Client)(nil)

// BatchSize is the most refs one ReadRecords call reads: 20, what one
// BatchGetSecretValue takes; 0 when the client cannot read in batches.
func (s *Store) BatchSize() int {
	if _, ok := s.api.(BatchAPI); !ok {
		return 0
	}
	return BatchSize
}

// ReadRecords reads the AWSCURRENT values of the refs' secrets with one
// BatchGetSecretValue (at most BatchSize refs) and returns each ref's record
// or error, as ReadRecord would (ErrNotFound for a missing secret or a value
// regmint did not write). err is the call's own failure (throttled, access
// denied: the role also needs secretsmanager:BatchGetSecretValue, on
// Resource "*"), which leaves every ref unread. Errors never quote a value.
func (s *Store) ReadRecords(ctx context.Context, refs []string) (recs []core.Record, errs []error, err error) {
	api, ok := s.api.(BatchAPI)
	if !ok {
		return nil, nil, errors.New("secretsmanager: the client cannot read in batches")
	}
	if len(refs) > BatchSize {
		return nil, nil, fmt.Errorf("secretsmanager BatchGetSecretValue: %d secrets, at most %d a call", len(refs), BatchSize)
	}
	recs, errs = make([]core.Record, len(refs)), make([]error, len(refs))
	ids := make([]string, 0, len(refs))
	at := map[string][]int{} // secret id -> indexes of refs
	for i, ref := range refs {
		id, err := s.SecretID(ref)
		if err != nil {
			errs[i] = err
			continue
		}
		if at[id] == nil {
			ids = append(ids, id)
			// What an earlier read found no longer holds: only this
			// read's answer may spare the next write its checks.
			s.hints.forget(id)
		}
		at[id] = append(at[id], i)
	}
	if len(ids) == 0 {
		return recs, errs, nil
	}
	out, err := api.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: ids})
	if err != nil {
		return nil, nil, opError("BatchGetSecretValue", strings.Join(ids[:min(len(ids), 3)], ",")+moreIDs(len(ids)), err)
	}
	seen := map[string]bool{}
	for _, v := range out.SecretValues {
		id := matchID(at, v.Name, v.ARN)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		r, err := s.batchRecord(id, v)
		for _, i := range at[id] {
			recs[i], errs[i] = r, err
		}
	}
	for _, e := range out.Errors {
		id := aws.ToString(e.SecretId)
		if at[id] == nil || seen[id] {
			continue
		}
		seen[id] = true
		err := batchEntryError(id, e)
		if errors.Is(err, core.ErrNotFound) && !strings.Contains(err.Error(), "secret value") {
			s.hints.Store(id, hint{absent: true})
		}
		for _, i := range at[id] {
			errs[i] = err
		}
	}
	for _, id := range ids {
		if !seen[id] {
			for _, i := range at[id] {
				errs[i] = fmt.Errorf("secretsmanager BatchGetSecretValue %s: the answer did not mention the secret", id)
			}
		}
	}
	return recs, errs, nil
}

func moreIDs(n int) string {
	if n <= 3 {
		return ""
	}
	return fmt.Sprintf(" and %d more", n-3)
}

// matchID finds the requested id an entry answers: its name, or its ARN
// (or the ARN without AWS's random suffix, for an ARN given without it).
func matchID(at map[string][]int, name, arn *string) string {
	for _, c := range []string{aws.ToString(name), aws.ToString(arn)} {
		if c != "" && at[c] != nil {
			return c
		}
	}
	if a := aws.ToString(arn); a != "" {
		for id := range at {
			if strings.HasPrefix(id, "arn:") && strings.HasPrefix(a, id+"-") && len(a) == len(id)+7 {
				return id
			}
		}
	}
	return ""
}

// batchRecord decodes one entry's value, as ReadRecord does.
func (s *Store) batchRecord(id string, v types.SecretValueEntry) (core.Record, error) {
	if v.SecretString == nil {
		return core.Record{}, fmt.Errorf("secretsmanager BatchGetSecretValue %s: %w: %w: value is binary", id, core.ErrNotFound, errNotRegmint)
	}
	r, err := decodeRecord(*v.SecretString)
	if err != nil {
		return core.Record{}, decodeError(id, err)
	}
	s.hints.Store(id, hint{version: aws.ToString(v.VersionId)})
	return r, nil
}

// batchEntryError is the error of a secret the batch could not read.
func batchEntryError(id string, e types.APIErrorType) error {
	code, msg := aws.ToString(e.ErrorCode), aws.ToString(e.Message)
	if code == "ResourceNotFoundException" {
		return fmt.Errorf("secretsmanager BatchGetSecretValue %s: %w: %s: %s", id, core.ErrNotFound, code, msg)
	}
	return fmt.Errorf("secretsmanager BatchGetSecretValue %s: %s: %s", id, code, msg)
}

// hint is what the last read of a secret found, so that the write after it
// starts with the call that will do: CreateSecret for a missing secret,
// PutSecretValue for one holding a regmint value (version: its AWSCURRENT
// version id). A hint only picks the first call; every answer is still
// checked, so a stale one costs a call, never a wrong write.
type hint struct {
	absent  bool
	version string
}

// hints are the Store's hints by secret id.
type hints struct{ m sync.Map }

func (h *hints) Store(id string, v hint) { h.m.Store(id, v) }

// take returns and forgets id's hint.
func (h *hints) take(id string) (hint, bool) {
	v, ok := h.m.LoadAndDelete(id)
	if !ok {
		return hint{}, false
	}
	return v.(hint), true
}

func (h *hints) forget(id string) { h.m.Delete(id) }
