package rotation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
)

// SecretsManagerAPI is the part of the Secrets Manager client the engine
// calls to read cloud credential secrets, with the SDK's signature:
// *secretsmanager.Client satisfies it.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretsManagerAPI = (*secretsmanager.Client)(nil)

// SourceKeys is the JSON a cloud credential secret holds: access keys
// (a Tencent SecretId/SecretKey or a Huawei AK/SK, with an optional security
// token and, for Huawei, project id), or a Huawei IAM user's name, password
// and account (domain) name. Unknown keys are refused.
type SourceKeys struct {
	AccessKeyID     string `json:"access_key_id,omitempty"`
	AccessKeySecret string `json:"access_key_secret,omitempty"`
	SecurityToken   string `json:"security_token,omitempty"`
	ProjectID       string `json:"project_id,omitempty"`
	IAMUser         string `json:"iam_user,omitempty"`
	IAMPassword     string `json:"iam_password,omitempty"`
	IAMDomain       string `json:"iam_domain,omitempty"`
}

// Auth returns the keys as core.Auth.
func (k SourceKeys) Auth() core.Auth {
	return core.Auth{
		AccessKeyID: k.AccessKeyID, AccessKeySecret: k.AccessKeySecret, SecurityToken: k.SecurityToken,
		ProjectID: k.ProjectID, IAMUser: k.IAMUser, IAMPassword: k.IAMPassword, IAMDomain: k.IAMDomain,
	}
}

// parseSourceKeys reads a credential secret's JSON. Errors never hold a
// value from it.
func parseSourceKeys(s string) (SourceKeys, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	var k SourceKeys
	if err := dec.Decode(&k); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return k, fmt.Errorf("is not JSON (error at byte %d); it must be an object with %s", syn.Offset, secretKeysHint)
		}
		return k, fmt.Errorf("is not a valid credentials object (%s); it must hold %s", jsonProblem(err), secretKeysHint)
	}
	if k == (SourceKeys{}) {
		return k, errors.New("holds none of " + secretKeysHint)
	}
	return k, nil
}

// jsonProblem describes a JSON decoding error without the document's values:
// encoding/json names unknown keys and types, never values, except in
// syntax errors, handled above.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "it is " + te.Value + ", not an object"
		}
		return "key " + te.Field + " must be a " + te.Type.String()
	}
	return err.Error()
}

// credentialSource is what a target's credentials resolve to: a secret id
// or the environment.
type credentialSource struct {
	secret string // Secrets Manager secret id; "" means the environment
}

// String names the source for messages.
func (s credentialSource) String() string {
	if s.secret == "" {
		return "environment"
	}
	return "secret " + s.secret
}

// sourceOf returns the credential source of target t.
func (c *Config) sourceOf(t *TargetConfig) credentialSource {
	cr := t.Credentials
	if cr == nil {
		return credentialSource{}
	}
	if cr.Source != "" {
		return credentialSource{secret: c.CredentialSources[cr.Source].Secret}
	}
	return credentialSource{secret: cr.Secret}
}

// sourceCache reads each credential secret once per run, however many
// targets share it.
type sourceCache struct {
	api SecretsManagerAPI
	mu  sync.Mutex
	m   map[string]*sourceEntry
}

type sourceEntry struct {
	once sync.Once
	auth core.Auth
	err  error
}

func newSourceCache(api SecretsManagerAPI) *sourceCache {
	return &sourceCache{api: api, m: map[string]*sourceEntry{}}
}

// auth returns the cloud auth of src. The environment resolves to the empty
// core.Auth (core.AuthEnv: the issuer reads the vendor's variables).
func (c *sourceCache) auth(ctx context.Context, src credentialSource) (core.Auth, error) {
	if src.secret == "" {
		return core.Auth{}, nil
	}
	c.mu.Lock()
	e, ok := c.m[src.secret]
	if !ok {
		e = &sourceEntry{}
		c.m[src.secret] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.auth, e.err = c.read(ctx, src.secret) })
	return e.auth, e.err
}

func (c *sourceCache) read(ctx context.Context, id string) (core.Auth, error) {
	if c.api == nil {
		return core.Auth{}, fmt.Errorf("credentials secret %s: no Secrets Manager client was given (WithSecrets)", id)
	}
	out, err := c.api.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
	if err != nil {
		return core.Auth{}, fmt.Errorf("secretsmanager GetSecretValue %s: %w", id, err)
	}
	if out == nil || out.SecretString == nil {
		return core.Auth{}, fmt.Errorf("credentials secret %s has no string value; it must be JSON with %s", id, secretKeysHint)
	}
	keys, err := parseSourceKeys(*out.SecretString)
	if err != nil {
		return core.Auth{}, fmt.Errorf("credentials secret %s %w", id, err)
	}
	return keys.Auth(), nil
}
