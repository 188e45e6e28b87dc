// Package ssmparam reads the rotation config from an AWS SSM parameter: it
// adapts the SSM client to config.Loader's ParameterReader, so that the
// config package itself imports no AWS SDK.
package ssmparam

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/regmint/regmint/core/config"
)

// API is the part of the SSM client the reader calls, with the SDK's
// signature: *ssm.Client satisfies it.
type API interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var (
	_ API                    = (*ssm.Client)(nil)
	_ config.ParameterReader = Reader{}
)

// Reader reads String and SecureString parameters (decrypted) through API.
type Reader struct{ API API }

// ReadParameter returns the parameter's value.
func (r Reader) ReadParameter(ctx context.Context, name string) (string, error) {
	out, err := r.API.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	if out == nil || out.Parameter == nil || out.Parameter.Value == nil {
		return "", errors.New("ssm GetParameter " + name + ": the answer holds no value")
	}
	return *out.Parameter.Value, nil
}
