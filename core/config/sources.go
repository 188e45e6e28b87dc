package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/regmint/regmint/core"
)

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

// ParseSourceKeys reads a credential secret's JSON. Errors never hold a
// value from it.
func ParseSourceKeys(s string) (SourceKeys, error) {
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

// Source is where a target's cloud credentials are read: what its
// credentials key resolves to: a secret id
// or the environment.
type Source struct {
	// Secret is the Secrets Manager secret id; "" means the environment.
	Secret string
	// Chain is the vendor SDK's default credential chain.
	Chain bool
}

// String names the source for messages.
func (s Source) String() string {
	if s.Chain {
		return "credential chain"
	}
	if s.Secret == "" {
		return "environment"
	}
	return "secret " + s.Secret
}

// SourceOf returns the credential source of target t.
func (c *Config) SourceOf(t *TargetConfig) Source {
	cr := t.Credentials
	if cr == nil {
		return Source{}
	}
	if cr.Source != "" {
		return Source{Secret: c.CredentialSources[cr.Source].Secret}
	}
	return Source{Secret: cr.Secret, Chain: cr.Chain}
}
