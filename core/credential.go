package core

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// redacted stands in for a secret wherever a value is rendered for people.
const redacted = "[redacted]"

// Credential is a docker login for one registry host.
//
// Its String, GoString, Format (every fmt verb), LogValue and MarshalJSON
// never show Password: a Credential can be logged or wrapped into an error
// without leaking. Read Password explicitly where it is meant to go.
type Credential struct {
	// Registry is the registry host, with a port if it is not 443
	// (e.g. "example.tencentcloudcr.com").
	Registry string
	// Username is the docker login user name.
	Username string
	// Password is the docker login password or token. Secret.
	Password string
	// ExpiresAt is when the registry stops accepting the credential; zero
	// means it does not expire.
	ExpiresAt time.Time
	// TokenID is the vendor id of a long-term token, used to revoke it; it is
	// empty for temporary credentials.
	TokenID string
}

// Expires reports whether the credential has an expiry time.
func (c Credential) Expires() bool { return !c.ExpiresAt.IsZero() }

// TimeLeft returns how long the credential stays valid after now. It is
// negative once expired; a credential that never expires reports the
// largest duration.
func (c Credential) TimeLeft(now time.Time) time.Duration {
	if !c.Expires() {
		return time.Duration(1<<63 - 1)
	}
	return c.ExpiresAt.Sub(now)
}

// Expired reports whether the credential is no longer valid at now.
func (c Credential) Expired(now time.Time) bool {
	return c.Expires() && !now.Before(c.ExpiresAt)
}

// Secrets returns every secret form of the credential (the password and the
// base64 docker auth string), for masking and for leak checks.
func (c Credential) Secrets() []string {
	if c.Password == "" {
		return nil
	}
	return []string{c.Password, DockerAuth(c.Username, c.Password)}
}

// String renders the credential without its password.
func (c Credential) String() string {
	exp := "never"
	if c.Expires() {
		exp = c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	s := fmt.Sprintf("registry=%s username=%s password=%s expires=%s", c.Registry, c.Username, c.maskedPassword(), exp)
	if c.TokenID != "" {
		s += " token_id=" + c.TokenID
	}
	return s
}

// GoString renders the credential for %#v without its password.
func (c Credential) GoString() string {
	return fmt.Sprintf("core.Credential{Registry:%q, Username:%q, Password:%q, ExpiresAt:%s, TokenID:%q}",
		c.Registry, c.Username, c.maskedPassword(), c.ExpiresAt.UTC().Format(time.RFC3339), c.TokenID)
}

// Format implements fmt.Formatter so that every verb (%v, %+v, %s, %q, %#v,
// %x) renders the redacted form.
func (c Credential) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, c.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		fmt.Fprint(f, c.String())
	}
}

// LogValue implements slog.LogValuer: the password is never logged.
func (c Credential) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("registry", c.Registry),
		slog.String("username", c.Username),
		slog.String("password", c.maskedPassword()),
	}
	if c.Expires() {
		attrs = append(attrs, slog.Time("expires_at", c.ExpiresAt.UTC()))
	}
	if c.TokenID != "" {
		attrs = append(attrs, slog.String("token_id", c.TokenID))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON renders the credential without its password, so that a
// Credential put in a JSON log line or report cannot leak. Stores serialise
// the password through their own types.
func (c Credential) MarshalJSON() ([]byte, error) {
	type view struct {
		Registry  string     `json:"registry"`
		Username  string     `json:"username"`
		Password  string     `json:"password"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
		TokenID   string     `json:"token_id,omitempty"`
	}
	v := view{Registry: c.Registry, Username: c.Username, Password: c.maskedPassword(), TokenID: c.TokenID}
	if c.Expires() {
		t := c.ExpiresAt.UTC()
		v.ExpiresAt = &t
	}
	return json.Marshal(v)
}

func (c Credential) maskedPassword() string {
	if c.Password == "" {
		return ""
	}
	return redacted
}

// Check reports whether the credential is complete enough to log in with,
// and safe to write as a docker login, a step output or a log line: the
// registry is a host[:port] of at most 259 bytes; the username is
// UsernameChars (the auth string "user:password" is split at the first
// ':', RFC 7617); the password is valid UTF-8 without control characters,
// at most 16 KiB; a token id, if any, is TokenIDChars. The error never
// holds the username, password or token id, and names the registry only
// once it is known to be a host name.
func (c Credential) Check() error {
	if c.Registry == "" {
		return fmt.Errorf("credential has no registry host")
	}
	if err := checkRegistry(c.Registry); err != nil {
		return fmt.Errorf("credential: %w", err)
	}
	switch {
	case c.Username == "":
		return fmt.Errorf("credential for %s has no username", c.Registry)
	case c.Password == "":
		return fmt.Errorf("credential for %s has no password", c.Registry)
	}
	if err := checkUsername(c.Username); err != nil {
		return fmt.Errorf("credential for %s: %w", c.Registry, err)
	}
	if err := checkPassword(c.Password); err != nil {
		return fmt.Errorf("credential for %s: %w", c.Registry, err)
	}
	if c.TokenID != "" {
		if err := CheckTokenID(c.TokenID); err != nil {
			return fmt.Errorf("credential for %s: %w", c.Registry, err)
		}
	}
	return nil
}
