package secretsmanager

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// SecretValueAPI is the part of the client a Reader calls, with the SDK's
// signature: *sm.Client satisfies it.
type SecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, optFns ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
}

var _ SecretValueAPI = (*sm.Client)(nil)

// Reader reads secrets that regmint does not write: cloud credential
// sources and the GitHub credential. It satisfies the rotation engine's
// SecretReader.
type Reader struct{ API SecretValueAPI }

// ReadSecret returns the string value of secret id (name or ARN). Its
// errors name the secret and never hold the value.
func (r Reader) ReadSecret(ctx context.Context, id string) (string, error) {
	out, err := r.API.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return "", fmt.Errorf("secretsmanager GetSecretValue %s: %w", id, err)
	}
	if out == nil || out.SecretString == nil {
		return "", fmt.Errorf("secret %s has no string value", id)
	}
	return *out.SecretString, nil
}
