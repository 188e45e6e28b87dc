package swr

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

// SharedTempValidity is how long a shared-edition temporary login lasts
// when the answer has no X-Swr-Expireat header (older API versions): the
// documented 6 hours.
const SharedTempValidity = 6 * time.Hour

// Shared mints logins for the SWR shared (basic) edition registry of a
// region. It is safe for concurrent use.
type Shared struct {
	t core.Target
	s *session
}

var _ core.Issuer = (*Shared)(nil)

// NewShared returns the issuer for an SWR shared-edition target (provider
// "swr"). Token type longterm needs a permanent access key pair (keys or
// env, without a security token). It checks every input and makes no
// network call. Env is as for NewEnterprise.
func NewShared(t core.Target, env core.Env) (*Shared, error) {
	return newShared(t, newConfig(env, nil))
}

func newShared(t core.Target, c *config) (*Shared, error) {
	if err := checkTarget(t, SharedName); err != nil {
		return nil, err
	}
	s, err := newSession(t, c)
	if err != nil {
		return nil, err
	}
	if t.Type() == core.TokenLongTerm && !s.auth.permanentKeys() {
		problem := "a long-term shared-edition login is derived from a permanent access key pair, and the auth given is " + string(s.auth.method)
		if s.auth.keys() {
			problem = "a long-term shared-edition login is derived from a permanent access key pair, and these keys are temporary (they come with a security token)"
		}
		return nil, &core.FieldError{Field: core.FieldTokenType, Problem: problem,
			Accepted: "token type temp, or access-key-id and access-key-secret (or " + EnvAK + " and " + EnvSK + ") of a permanent key"}
	}
	return &Shared{t: t, s: s}, nil
}

// Issue returns a temporary login from CreateSecret, or for token type
// longterm the login derived from the access key pair, which makes no call
// and does not expire (it lasts as long as the access key).
func (sh *Shared) Issue(ctx context.Context) (core.Credential, error) {
	if sh.t.Type() == core.TokenLongTerm {
		user, pass := LongTermLogin(sh.t.Region, sh.s.auth.ak, sh.s.auth.sk)
		host := sh.t.Registry
		if host == "" {
			host = SharedRegistry(sh.t.Region)
		}
		return core.Credential{Registry: host, Username: user, Password: pass}, nil
	}
	var resp *model.CreateSecretResponse
	err := sh.s.call(ctx, false, func(ctx context.Context, g grant) error {
		return sh.s.retry(ctx, OpCreateSecret, g, func(api swrAPI) (err error) {
			resp, err = api.CreateSecret(&model.CreateSecretRequest{
				ContentType: model.GetCreateSecretRequestContentTypeEnum().APPLICATION_JSON,
				Projectname: &sh.t.Region,
			})
			return err
		})
	})
	if err != nil {
		return core.Credential{}, opError(OpCreateSecret, sh.t.Region, err)
	}
	c, err := sh.secretLogin(resp)
	if err != nil {
		return core.Credential{}, opError(OpCreateSecret, sh.t.Region, err)
	}
	return c, nil
}

// secretLogin reads a CreateSecret answer: the "auths" entry of the
// registry (base64 "user:password") and the X-Swr-Expireat header.
func (sh *Shared) secretLogin(resp *model.CreateSecretResponse) (core.Credential, error) {
	malformed := func(what string) error {
		return &APIError{StatusCode: resp.HttpStatusCode, Malformed: true, Message: what}
	}
	if len(resp.Auths) == 0 {
		return core.Credential{}, malformed("no auths entry")
	}
	key := pickAuth(resp.Auths, sh.t.Registry, SharedRegistry(sh.t.Region))
	raw, err := base64.StdEncoding.DecodeString(resp.Auths[key].Auth)
	if err != nil {
		return core.Credential{}, malformed("the auth of " + key + " is not base64")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return core.Credential{}, malformed("the auth of " + key + " is not user:password")
	}
	host := sh.t.Registry
	if host == "" {
		// The entry's key becomes the registry host: it must be one.
		if core.CheckEndpoint("https://"+key) != nil {
			return core.Credential{}, malformed(fmt.Sprintf("the auths entry %q is not a registry host", clip(key, 80)))
		}
		host = key
	}
	c := core.Credential{Registry: host, Username: user, Password: pass}
	if resp.XSwrExpireat != nil && *resp.XSwrExpireat != "" {
		if c.ExpiresAt, err = parseExpiry(*resp.XSwrExpireat, sh.s.c.Now()); err != nil {
			return core.Credential{}, malformed("X-Swr-Expireat: " + err.Error())
		}
	} else {
		c.ExpiresAt = sh.s.c.Now().Add(SharedTempValidity).UTC()
	}
	// Every value of the answer goes on into outputs, files and logs.
	if err := c.Check(); err != nil {
		return core.Credential{}, malformed("unusable value: " + err.Error())
	}
	return c, nil
}

// pickAuth chooses the auths entry: the wanted registry, else the region's
// shared registry, else the only one, else the first by name.
func pickAuth(auths map[string]model.AuthInfo, want, regional string) string {
	for _, k := range []string{want, regional} {
		if _, ok := auths[k]; ok && k != "" {
			return k
		}
	}
	keys := make([]string, 0, len(auths))
	for k := range auths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys[0]
}

// LongTermLogin returns the shared-edition long-term docker login of a
// permanent access key pair: user "<region>@<AK>", password the lowercase
// hex HMAC-SHA256 of the AK keyed with the SK. The password is a secret.
func LongTermLogin(region, ak, sk string) (username, password string) {
	m := hmac.New(sha256.New, []byte(sk))
	m.Write([]byte(ak))
	return region + "@" + ak, hex.EncodeToString(m.Sum(nil))
}

// String renders the issuer without secrets.
func (sh *Shared) String() string { return describe("Shared", sh.t) }

// GoString renders the issuer without secrets.
func (sh *Shared) GoString() string { return sh.String() }

// Format renders the issuer without secrets for every verb.
func (sh *Shared) Format(f fmt.State, verb rune) { fmt.Fprint(f, sh.String()) }
