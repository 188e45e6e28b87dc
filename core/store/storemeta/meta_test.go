package storemeta_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

func TestMetaRoundTrip(t *testing.T) {
	t.Parallel()
	issued := time.Date(2026, 11, 23, 9, 40, 28, 123456789, time.FixedZone("CST", 8*3600))
	for _, st := range []core.Stored{
		{Registry: "reg.example.com", Username: "100000000001", ExpiresAt: issued.Add(time.Hour), IssuedAt: issued, Fingerprint: "fp", TokenID: "t2", PreviousTokenID: "t1"},
		{Registry: "reg.example.com:5000", Username: "u"}, // never expires, nothing else known
	} {
		b, err := json.Marshal(storemeta.Of(st))
		if err != nil {
			t.Fatal(err)
		}
		var m storemeta.Meta
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		got, err := m.Stored("value")
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		if !got.ExpiresAt.Equal(st.ExpiresAt) || !got.IssuedAt.Equal(st.IssuedAt) || got.Registry != st.Registry ||
			got.Username != st.Username || got.Fingerprint != st.Fingerprint || got.TokenID != st.TokenID || got.PreviousTokenID != st.PreviousTokenID {
			t.Errorf("round trip of %+v gave %+v (%s)", st, got, b)
		}
		if st.ExpiresAt.IsZero() && strings.Contains(string(b), "expires_at") {
			t.Errorf("a credential that does not expire is written with an expiry: %s", b)
		}
	}
}

// Every store reads the same keys, including what the file store's
// earlier sidecars wrote (Go's time.Time JSON, RFC 3339 with nanoseconds).
func TestMetaReadsEveryStoresDocuments(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 11, 23, 10, 40, 28, 5, time.UTC)
	old, _ := json.Marshal(struct {
		Registry  string    `json:"registry"`
		Username  string    `json:"username"`
		ExpiresAt time.Time `json:"expires_at"`
	}{"reg.example.com", "u", exp})
	for _, doc := range []string{
		string(old),
		`{"auths":{"reg.example.com":{"auth":"x"}},"registry":"reg.example.com","username":"u","password":"p","expires_at":"2026-11-23T10:40:28.000000005Z","expires_at_unix":"1795430428"}`,
		`{"regmint":1,"registry":"reg.example.com","username":"u","expires_at":"2026-11-23T10:40:28.000000005Z","secrets":["A_PASSWORD"]}`,
	} {
		var m storemeta.Meta
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		st, err := m.Stored("value")
		if err != nil || !st.ExpiresAt.Equal(exp) || st.Username != "u" {
			t.Errorf("%s: %+v, %v", doc, st, err)
		}
	}
}

func TestMetaRefusesWhatRegmintDidNotWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		m    storemeta.Meta
		want string
	}{
		{storemeta.Meta{}, `no "registry"`},
		{storemeta.Meta{Registry: "r"}, `value has a "registry" but no "username"`},
		{storemeta.Meta{Registry: "r", Username: "u", ExpiresAt: "tomorrow"}, `value field "expires_at" is not an RFC 3339 time`},
		{storemeta.Meta{Registry: "r", Username: "u", IssuedAt: "0001-01-01T00:00:00Z"}, `value field "issued_at" is the zero time`},
	} {
		_, err := tc.m.Stored("value")
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %q", tc.m, err, tc.want)
		}
		if tc.m.Registry == "" && !errors.Is(err, storemeta.ErrNoRegistry) {
			t.Errorf("no registry: %v is not ErrNoRegistry", err)
		}
		if strings.Contains(fmtErr(err), "tomorrow") {
			t.Errorf("error quotes the value: %v", err)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
