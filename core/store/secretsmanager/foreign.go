package secretsmanager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Placeholder is the value a secret may be created with before regmint
// first fills it (e.g. by a template): Put replaces it, as it fills a
// secret with no value at all. Any other value regmint did not write is
// never replaced.
const Placeholder = `{"placeholder":"filled by regmint"}`

// ErrForeignSecret is wrapped by the error of a Put to a secret whose
// current value regmint did not write: it may be cloud keys, the GitHub
// App's key or another program's secret, and overwriting it would destroy
// it.
var ErrForeignSecret = errors.New("the secret holds a value regmint did not write")

// checkOverwrite reads the current value of secret id, which exists and
// does not hold the value about to be written, and refuses to replace a
// value that is not regmint's, empty or the Placeholder. The error never
// quotes the value.
func (s *Store) checkOverwrite(ctx context.Context, id string, desc *sm.DescribeSecretOutput) error {
	if stageOwner(desc.VersionIdsToStages, StageCurrent) == "" {
		return nil // no value yet
	}
	out, err := s.api.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id), VersionStage: aws.String(StageCurrent)})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return opError("GetSecretValue", id, err)
	}
	if out.SecretString != nil && fillable(*out.SecretString) {
		return nil
	}
	return fmt.Errorf("secretsmanager put %s: %w (it may be cloud keys, a GitHub credential or another program's secret): regmint does not overwrite it; delete or rename that secret, or give the destination another ref", id, ErrForeignSecret)
}

// fillable reports whether a current value may be replaced: empty, the
// Placeholder, or a value of the regmint shape (one with a "registry"),
// whole or not.
func fillable(v string) bool {
	if strings.TrimSpace(v) == "" {
		return true
	}
	var m map[string]any
	if json.Unmarshal([]byte(v), &m) != nil {
		return false
	}
	if len(m) == 1 && m["placeholder"] == "filled by regmint" {
		return true
	}
	_, err := decodeMetadata(v)
	return !errors.Is(err, errNotRegmint)
}
