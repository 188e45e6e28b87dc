// Package secretsmanager keeps regmint credentials in AWS Secrets Manager,
// through the official SDK (aws-sdk-go-v2/service/secretsmanager).
//
// Store implements core.Store. Each ref names one secret, under a name
// prefix ("regmint/" by default) so that IAM policies can be scoped to the
// secrets regmint manages. The secret value is a JSON document that is at
// once a docker config.json (readable by "docker --config", by
// go-containerregistry and, through External Secrets, as a Kubernetes
// .dockerconfigjson) and a flat record for scripts:
//
//	{
//	  "auths": {"<registry>": {"username": "...", "password": "...", "auth": "<base64 user:pass>"}},
//	  "registry": "<registry>", "username": "...", "password": "...",
//	  "expires_at": "2030-01-02T03:04:05Z", "token_id": "...",
//	  "issued_at": "...", "fingerprint": "...", "previous_token_id": "..."
//	}
//
// The metadata Store.Get returns (expiry, issue time, fingerprint, token ids)
// lives in the value itself, not in tags: it changes atomically with the
// credential in one PutSecretValue, each version carries its own, it is not
// shown to everyone with DescribeSecret or ListSecrets, and writing it needs
// no TagResource permission (which can change tag-based access control).
// Get reads it with one GetSecretValue of AWSCURRENT; ReadRecord reads the
// same with the password (core.RecordReader), for the rotation engine to
// check the stored credential against its registry.
//
// Put writes with a ClientRequestToken derived from the secret name and
// value (a UUID-shaped SHA-256 digest), so a retried write is idempotent; it
// first reads the secret's version ids with DescribeSecret (which returns no
// value) and writes nothing when AWSCURRENT already is that version.
//
// The SDK client sits behind API, the SDK's own method signatures, so the
// real *secretsmanager.Client fits with no adapter. NewClient builds one from
// an aws.Config, honouring AWS_ENDPOINT_URL_SECRETS_MANAGER; the SDK's
// standard retryer retries throttling, 5xx and transport errors with
// backoff, and its waits end with the context.
//
// IAM actions used on the prefix's secrets: secretsmanager:GetSecretValue,
// DescribeSecret, CreateSecret, PutSecretValue and (only to restore an
// earlier value as AWSCURRENT) UpdateSecretVersionStage; kms:Encrypt,
// kms:Decrypt and kms:GenerateDataKey on the key, if a customer managed key
// is used.
package secretsmanager
