package secretsmanager

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/regmint/regmint/core"

	"github.com/regmint/regmint/core/store/storemeta"
)

// value is the JSON document stored as a secret's SecretString. "auths"
// makes it a docker config.json; docker, go-containerregistry and
// Kubernetes ignore the other top-level keys. Field order is fixed, so the
// same record always encodes to the same bytes (and the same request
// token).
type value struct {
	Auths map[string]core.AuthEntry `json:"auths"`
	storemeta.Meta
	Password string `json:"password"`
	// ExpiresAtUnix is ExpiresAt as decimal unix seconds in a string (cut
	// to the second, never later), the form External Secrets Operator's
	// generators (the ECR one's expires_at) give templates.
	ExpiresAtUnix string `json:"expires_at_unix,omitempty"`
}

// encodeValue renders a record as the secret value. The result is secret.
func encodeValue(r core.Record) (string, error) {
	c := r.Credential
	if err := c.Check(); err != nil {
		return "", err
	}
	v := value{
		Auths:         map[string]core.AuthEntry{c.Registry: c.DockerAuthEntry()},
		Meta:          storemeta.OfRecord(r),
		Password:      c.Password,
		ExpiresAtUnix: unixSeconds(c.ExpiresAt),
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", errors.New("encode secret value failed") // cannot happen for strings; never echo the value
	}
	return string(b), nil
}

// unixSeconds renders t as decimal unix seconds, "" for the zero time (does
// not expire).
func unixSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.Unix(), 10)
}

// errNotRegmint marks a value regmint did not write (a placeholder a
// template created, or another program's secret): there is no credential
// to keep, so Get reports it as not found and Put replaces it (the old
// value stays readable as AWSPREVIOUS).
var errNotRegmint = errors.New("holds no regmint credential")

// decodeMetadata reads the metadata of a secret value. Its errors never
// quote the value.
func decodeMetadata(s string) (core.Stored, error) {
	var m storemeta.Meta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return core.Stored{}, fmt.Errorf("%w: value is not JSON (syntax error at byte %d)", errNotRegmint, se.Offset)
		}
		return core.Stored{}, fmt.Errorf("%w: value is not a JSON object of the regmint shape", errNotRegmint)
	}
	st, err := m.Stored("value")
	if errors.Is(err, storemeta.ErrNoRegistry) {
		return core.Stored{}, fmt.Errorf(`%w: value has no "registry"`, errNotRegmint)
	}
	return st, err
}

// decodeRecord reads a whole secret value: the metadata and the password.
// A value without a password is read as it is (a login with it fails).
// Its errors never quote the value.
func decodeRecord(s string) (core.Record, error) {
	st, err := decodeMetadata(s)
	if err != nil {
		return core.Record{}, err
	}
	var v struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return core.Record{}, errors.New(`value field "password" is not a string`)
	}
	return core.Record{
		Credential: core.Credential{
			Registry:  st.Registry,
			Username:  st.Username,
			Password:  v.Password,
			ExpiresAt: st.ExpiresAt,
			TokenID:   st.TokenID,
		},
		IssuedAt:        st.IssuedAt,
		Fingerprint:     st.Fingerprint,
		PreviousTokenID: st.PreviousTokenID,
	}, nil
}

// requestToken derives the ClientRequestToken (which becomes the version
// id) of writing value to the secret id: a version 8 UUID made of the
// first 16 bytes of SHA-256 over a domain tag, the id and the value. The
// same write always carries the same token, so Secrets Manager treats a
// retry as a no-op; a different value gets a different token. The digest
// does not reveal the value (the value holds a high-entropy password).
func requestToken(id, val string) string {
	h := sha256.New()
	h.Write([]byte("regmint secretsmanager v1\x00"))
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(val))
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x80 // version 8: custom (RFC 9562)
	b[8] = b[8]&0x3f | 0x80 // variant 10
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
