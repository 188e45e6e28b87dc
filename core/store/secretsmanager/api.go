package secretsmanager

import (
	"context"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// API is the part of the Secrets Manager client that Store calls, with the
// SDK's own signatures: *secretsmanager.Client satisfies it as is, and tests
// can put a fake behind it.
type API interface {
	// GetSecretValue reads a version's value (Store.Get).
	GetSecretValue(ctx context.Context, in *sm.GetSecretValueInput, optFns ...func(*sm.Options)) (*sm.GetSecretValueOutput, error)
	// DescribeSecret reads a secret's metadata and version ids, not its
	// value (Store.Put).
	DescribeSecret(ctx context.Context, in *sm.DescribeSecretInput, optFns ...func(*sm.Options)) (*sm.DescribeSecretOutput, error)
	// CreateSecret creates a missing secret with its first value.
	CreateSecret(ctx context.Context, in *sm.CreateSecretInput, optFns ...func(*sm.Options)) (*sm.CreateSecretOutput, error)
	// PutSecretValue stores a new version and makes it AWSCURRENT.
	PutSecretValue(ctx context.Context, in *sm.PutSecretValueInput, optFns ...func(*sm.Options)) (*sm.PutSecretValueOutput, error)
	// UpdateSecretVersionStage moves AWSCURRENT back to an existing
	// version when an earlier value is stored again.
	UpdateSecretVersionStage(ctx context.Context, in *sm.UpdateSecretVersionStageInput, optFns ...func(*sm.Options)) (*sm.UpdateSecretVersionStageOutput, error)
}

var _ API = (*sm.Client)(nil)
