package core_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/registrytest"
)

func TestVerifyAgainstEmulatedRegistry(t *testing.T) {
	t.Parallel()
	password := randomString(t, 32)
	check := func(u, p string) bool { return u == "ci" && p == password }
	for _, mode := range []struct {
		name   string
		opts   []registrytest.Option
		scheme string
	}{
		{"bearer", nil, "bearer"},
		{"basic", []registrytest.Option{registrytest.WithBasic()}, "basic"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			reg := registrytest.New(check, mode.opts...)
			t.Cleanup(reg.Close)
			tests := []struct {
				name string
				cred core.Credential
				want core.VerifyResult
			}{
				{"good", core.Credential{Registry: reg.Host, Username: "ci", Password: password}, core.VerifyGood},
				{"wrong password", core.Credential{Registry: reg.Host, Username: "ci", Password: "wrong-password"}, core.VerifyBad},
				{"wrong user", core.Credential{Registry: reg.Host, Username: "someone", Password: password}, core.VerifyBad},
				{"empty password", core.Credential{Registry: reg.Host, Username: "ci"}, core.VerifyBad},
			}
			for _, tc := range tests {
				got := core.Verifier{}.Verify(context.Background(), tc.cred)
				if got.Result != tc.want {
					t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
				}
				if got.Result != core.VerifyBad || tc.cred.Password != "" {
					if got.Scheme != mode.scheme {
						t.Errorf("%s: scheme = %q, want %q", tc.name, got.Scheme, mode.scheme)
					}
				}
				if strings.Contains(got.Detail, password) {
					t.Errorf("%s: detail leaks the password", tc.name)
				}
			}
		})
	}
}

func TestVerifyUnreachableIsUnknown(t *testing.T) {
	t.Parallel()
	password := randomString(t, 32)
	good := func(u, p string) bool { return p == password }

	failing := registrytest.New(good)
	t.Cleanup(failing.Close)
	failing.FailWith(http.StatusServiceUnavailable)

	closed := registrytest.New(good)
	closed.Close()

	// A listener that accepts and never answers: the verifier's timeout ends it.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hang.Close() })
	go func() {
		for {
			c, err := hang.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()

	anonymous := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) })}
	anonLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go anonymous.Serve(anonLn)
	t.Cleanup(func() { anonymous.Close() })

	tests := []struct {
		name   string
		host   string
		detail string
	}{
		{"5xx", failing.Host, "503"},
		{"connection refused", closed.Host, "unreachable"},
		{"no answer", hang.Addr().String(), "unreachable"},
		{"anonymous registry", anonLn.Addr().String(), "asks for no login"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := core.Verifier{Timeout: 300 * time.Millisecond}
			got := v.Verify(context.Background(), core.Credential{Registry: tc.host, Username: "ci", Password: password})
			if got.Result != core.VerifyUnknown {
				t.Errorf("Verify = %v, want unknown", got)
			}
			if !strings.Contains(got.Detail, tc.detail) {
				t.Errorf("detail %q does not say %q", got.Detail, tc.detail)
			}
			if strings.Contains(got.Detail, password) {
				t.Error("detail leaks the password")
			}
		})
	}
}

func TestVerifyHonoursContext(t *testing.T) {
	t.Parallel()
	reg := registrytest.New(func(u, p string) bool { return true })
	t.Cleanup(reg.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := core.Verifier{}.Verify(ctx, core.Credential{Registry: reg.Host, Username: "u", Password: "p"})
	if got.Result != core.VerifyUnknown {
		t.Errorf("Verify with a cancelled context = %v, want unknown", got)
	}
}

func TestVerifyResultStrings(t *testing.T) {
	t.Parallel()
	for r, want := range map[core.VerifyResult]string{core.VerifyGood: "good", core.VerifyBad: "bad", core.VerifyUnknown: "unknown", core.VerifySkipped: "skipped"} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", r, r.String(), want)
		}
	}
}
