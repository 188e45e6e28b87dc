package github

import (
	"fmt"
	"log/slog"
)

// redacted stands in for a Secret wherever it is rendered.
const redacted = "[redacted]"

// Secret is a credential given to the client (a token, a private key). It
// never shows itself: every fmt verb, slog and JSON render it as
// "[redacted]" (or "" when empty), so a ClientConfig or App can be logged
// or wrapped into an error without leaking. Convert it with string(s)
// where the value is meant to go.
type Secret string

// String renders the secret redacted.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString renders the secret redacted for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("github.Secret(%q)", s.String()) }

// Format implements fmt.Formatter: every verb renders the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON renders the secret redacted.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// MarshalText renders the secret redacted (for encoders that use
// encoding.TextMarshaler, such as slog's text and JSON handlers).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// String renders the app without its private key.
func (a App) String() string {
	return fmt.Sprintf("github.App{ID:%d, InstallationID:%d, PrivateKey:%s}", a.ID, a.InstallationID, a.PrivateKey.String())
}

// Format implements fmt.Formatter: every verb renders String, so the
// private key never shows (not even under a verb that does not fit).
func (a App) Format(f fmt.State, verb rune) { formatString(f, verb, a.String()) }

// LogValue implements slog.LogValuer without the private key.
func (a App) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", a.ID), slog.Int64("installation_id", a.InstallationID), slog.String("private_key", a.PrivateKey.String()))
}

// String renders the configuration's base URL and credentials, redacted.
func (c ClientConfig) String() string {
	app := "nil"
	if c.App != nil {
		app = c.App.String()
	}
	return fmt.Sprintf("github.ClientConfig{BaseURL:%q, App:%s, Token:%s}", c.BaseURL, app, c.Token.String())
}

// Format implements fmt.Formatter: every verb renders String.
func (c ClientConfig) Format(f fmt.State, verb rune) { formatString(f, verb, c.String()) }

// LogValue implements slog.LogValuer with the credentials redacted.
func (c ClientConfig) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("base_url", c.BaseURL), slog.String("token", c.Token.String())}
	if c.App != nil {
		attrs = append(attrs, slog.Any("app", c.App.LogValue()))
	}
	return slog.GroupValue(attrs...)
}

func formatString(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	fmt.Fprint(f, s)
}
