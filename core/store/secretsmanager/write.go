package secretsmanager

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// putByHint makes the write in the fewest calls the last read allows: one
// CreateSecret for a secret the read found missing, one PutSecretValue (no
// DescribeSecret first) for one it found holding a regmint value, none
// when that value already is this one (its version id is the request
// token). The request token makes each call idempotent, so a retried or
// repeated call never stores a second version. done is false when there is
// no hint or its first call's answer needs the full path (the secret was
// created, deleted or scheduled for deletion meanwhile; the version existed
// without AWSCURRENT), which Put then takes.
func (s *Store) putByHint(ctx context.Context, id, val, token, registry string) (done bool, err error) {
	h, ok := s.hints.take(id)
	switch {
	case !ok:
		return false, nil
	case h.absent && !strings.HasPrefix(id, "arn:"):
		err := s.create(ctx, id, val, token, registry)
		if err != nil && isExists(err) {
			return false, nil // created meanwhile: the full path
		}
		return true, err
	case h.absent:
		return false, nil
	case h.version == token:
		return true, nil // unchanged
	}
	out, err := s.api.PutSecretValue(ctx, &sm.PutSecretValueInput{
		SecretId:           aws.String(id),
		ClientRequestToken: aws.String(token),
		SecretString:       aws.String(val),
	})
	var invalid *types.InvalidRequestException
	switch {
	case isNotFound(err), errors.As(err, &invalid):
		return false, nil // deleted, or scheduled for deletion: the full path says which
	case err != nil:
		return true, opError("PutSecretValue", id, err)
	case slices.Contains(out.VersionStages, StageCurrent):
		return true, nil
	}
	return false, nil // the version existed: move AWSCURRENT back on the full path
}
