package swr_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// report renders everything a caller might print about an outcome: the
// error in every verb, its hint, the credential, the issuer and the target,
// as text and as structured logs.
func report(out io.Writer, tg core.Target, iss core.Issuer, c core.Credential, err error) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(out, verb+"\n", err)
		fmt.Fprintf(out, verb+"\n", c)
		fmt.Fprintf(out, verb+"\n", tg)
		fmt.Fprintf(out, verb+"\n", tg.Auth)
		if iss != nil {
			fmt.Fprintf(out, verb+"\n", iss)
		}
	}
	var ae *swr.APIError
	if errors.As(err, &ae) {
		fmt.Fprintf(out, "%#v %+v\n", ae, *ae)
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		fmt.Fprintf(out, "%T %v\n", e, e)
	}
	fmt.Fprintln(out, swr.Hint(err))
	j, _ := json.Marshal(c)
	out.Write(j)
	for _, h := range []slog.Handler{slog.NewJSONHandler(out, nil), slog.NewTextHandler(out, nil)} {
		slog.New(h).Info("outcome", "credential", c, "target", tg, "auth", tg.Auth, "issuer", iss, "err", err)
	}
	log.Printf("outcome: %v %v %v", c, err, iss)
	slog.Info("outcome", "credential", c, "err", err)
}

// leakScenario mints or fails in one way and reports what it saw.
type leakScenario struct {
	name string
	run  func(t *testing.T, w *world, out io.Writer) (extraSecrets []string)
}

func leakScenarios() []leakScenario {
	var list []leakScenario
	kinds := []struct {
		p  core.Provider
		tt core.TokenType
	}{
		{swr.EnterpriseName, core.TokenTemp}, {swr.EnterpriseName, core.TokenLongTerm},
		{swr.SharedName, core.TokenTemp}, {swr.SharedName, core.TokenLongTerm},
	}
	// every edition through every auth path, with revocation
	for _, k := range kinds {
		for _, auth := range allAuth {
			list = append(list, leakScenario{fmt.Sprintf("%s-%s/%s", k.p, k.tt, auth), func(t *testing.T, w *world, out io.Writer) []string {
				tg, opts := w.setup(t, k.p, k.tt, auth)
				iss, err := swr.New(tg, opts)
				var c core.Credential
				if err == nil {
					c, err = iss.Issue(context.Background())
				}
				report(out, tg, iss, c, err)
				if err == nil {
					fmt.Fprintln(out, (core.Verifier{}).Verify(context.Background(), c))
				}
				if rev, ok := iss.(core.Revoker); ok && c.TokenID != "" {
					report(out, tg, iss, c, rev.Revoke(context.Background(), c.TokenID))
					fmt.Fprintln(out, (core.Verifier{}).Verify(context.Background(), c))
				}
				return append(c.Secrets(), tg.Auth.Secrets()...)
			}})
		}
	}
	// every error class
	failing := func(name string, p core.Provider, tt core.TokenType, auth string, prepare func(w *world, tg *core.Target), timeout time.Duration) leakScenario {
		return leakScenario{name, func(t *testing.T, w *world, out io.Writer) []string {
			tg, opts := w.setup(t, p, tt, auth)
			if prepare != nil {
				prepare(w, &tg)
			}
			iss, err := swr.New(tg, opts)
			var c core.Credential
			if err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), timeout)
				defer cancel()
				c, err = iss.Issue(ctx)
			}
			report(out, tg, iss, c, err)
			return append(c.Secrets(), tg.Auth.Secrets()...)
		}}
	}
	fault := func(f swrtest.Fault) func(w *world, tg *core.Target) {
		return func(w *world, tg *core.Target) { w.srv.Inject(f) }
	}
	sec := 5 * time.Second
	for _, auth := range []string{authKeysProject, authPassword, authOIDC} {
		list = append(list,
			failing("malformed-temp/"+auth, swr.EnterpriseName, core.TokenTemp, auth, fault(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Malformed: true}), sec),
			failing("malformed-longterm/"+auth, swr.EnterpriseName, core.TokenLongTerm, auth, fault(swrtest.Fault{Op: swrtest.OpCreateInstanceLtCredential, Malformed: true}), sec),
			failing("malformed-secret/"+auth, swr.SharedName, core.TokenTemp, auth, fault(swrtest.Fault{Op: swrtest.OpCreateSecret, Malformed: true}), sec),
			failing("5xx-until-deadline/"+auth, swr.EnterpriseName, core.TokenTemp, auth, fault(swrtest.Fault{Op: swrtest.OpCreateInstanceTempCredential, Status: 503, Times: swrtest.Forever}), 200*time.Millisecond),
			failing("throttled-then-ok/"+auth, swr.SharedName, core.TokenTemp, auth, fault(swrtest.Fault{Op: swrtest.OpCreateSecret, Status: 429, Times: 2}), sec),
			failing("longterm-502-after-processing/"+auth, swr.EnterpriseName, core.TokenLongTerm, auth, fault(swrtest.Fault{Op: swrtest.OpCreateInstanceLtCredential, Status: 502, AfterProcessing: true, Times: swrtest.Forever}), sec),
			failing("unknown-instance/"+auth, swr.EnterpriseName, core.TokenTemp, auth, func(w *world, tg *core.Target) { tg.InstanceID = "no-such-instance" }, sec),
			failing("unreachable/"+auth, swr.SharedName, core.TokenTemp, auth, func(w *world, tg *core.Target) { tg.APIEndpoint = "http://127.0.0.1:1" }, sec),
		)
	}
	list = append(list,
		failing("malformed-iam-token", swr.EnterpriseName, core.TokenTemp, authPassword, fault(swrtest.Fault{Op: swrtest.OpKeystoneCreateUserTokenByPassword, Malformed: true}), sec),
		failing("malformed-oidc-token", swr.EnterpriseName, core.TokenTemp, authOIDC, fault(swrtest.Fault{Op: swrtest.OpCreateTokenWithIdToken, Malformed: true}), sec),
		failing("wrong-password", swr.EnterpriseName, core.TokenTemp, authPassword, func(w *world, tg *core.Target) { tg.Auth.IAMPassword += "-wrong" }, sec),
		failing("wrong-secret-key", swr.SharedName, core.TokenTemp, authKeys, func(w *world, tg *core.Target) { tg.Auth.AccessKeySecret += "-wrong" }, sec),
		failing("oidc-wrong-idp", swr.EnterpriseName, core.TokenTemp, authOIDC, func(w *world, tg *core.Target) { tg.Auth.IdPID = w.srv.NewIdP(w.acct).ID }, sec),
		failing("missing-project", swr.EnterpriseName, core.TokenTemp, authKeys, func(w *world, tg *core.Target) { tg.Region = "ap-southeast-1" }, sec),
		failing("shared-longterm-with-password", swr.SharedName, core.TokenLongTerm, authPassword, nil, sec),
		failing("bad-input-password-no-domain", swr.EnterpriseName, core.TokenTemp, authPassword, func(w *world, tg *core.Target) { tg.Auth.IAMDomain = "" }, sec),
		failing("denied-revoked-token", swr.EnterpriseName, core.TokenTemp, authPassword, func(w *world, tg *core.Target) {
			w.srv.RevokeTokens(w.acct)
		}, sec),
	)
	return list
}

// No scenario lets a secret (access or security keys, passwords, IAM tokens,
// OIDC tokens, minted registry passwords and their base64 auths) into any
// error, hint, rendering, log line, or anything written to stdout or
// stderr, the SDK's included.
func TestNoSecretLeaks(t *testing.T) {
	// Not parallel: it captures the process's stdout, stderr and loggers,
	// and runs before the parallel tests resume.
	var failures []string
	var all leaktest.Secrets
	captured := captureOutput()
	for _, sc := range leakScenarios() {
		w := newWorld(t)
		var out bytes.Buffer
		extra := sc.run(t, w, &out)
		secrets := append(w.srv.Secrets(), extra...)
		all.Add(secrets...)
		if out.Len() == 0 {
			failures = append(failures, sc.name+": reported nothing")
		}
		for _, f := range leaktest.Find(out.String(), secrets...) {
			failures = append(failures, sc.name+": output leaks "+f)
		}
		w.srv.Close()
	}
	process := captured()
	for _, f := range failures {
		t.Error(f)
	}
	if len(all.List()) < 100 {
		t.Errorf("only %d secrets were checked", len(all.List()))
	}
	leaktest.Check(t, "stdout, stderr and loggers", process, all.List()...)
}

// captureOutput redirects stdout, stderr, the log package and slog's
// default logger into a pipe, until the returned function restores them and
// returns what was written.
func captureOutput() func() string {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	oldOut, oldErr, oldLog, oldSlog := os.Stdout, os.Stderr, log.Writer(), slog.Default()
	os.Stdout, os.Stderr = w, w
	log.SetOutput(w)
	slog.SetDefault(slog.New(slog.NewTextHandler(w, nil)))
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() { io.Copy(&buf, r); close(done) }()
	return func() string {
		w.Close()
		<-done
		os.Stdout, os.Stderr = oldOut, oldErr
		log.SetOutput(oldLog)
		slog.SetDefault(oldSlog)
		return buf.String()
	}
}
