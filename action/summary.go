package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
)

// summary renders the job summary: provider, registry, user, expiry and the
// verification result. It holds no secret.
func summary(cfg *config, t core.Target, cred core.Credential, ver core.Verification, now time.Time) string {
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	b.WriteString("### regmint: registry credential\n\n| | |\n|---|---|\n")
	row("Provider", fmt.Sprintf("%s (`%s`), %s", cfg.provider.Title, t.Provider, t.Region))
	row("Registry", "`"+cred.Registry+"`")
	row("Username", "`"+cred.Username+"`")
	tok := string(t.Type())
	if cred.TokenID != "" {
		tok += ", id `" + cred.TokenID + "`"
		if cfg.revoke {
			tok += " (revoked when the job ends)"
		}
	}
	row("Token", tok)
	exp := "never"
	if cred.Expires() {
		exp = fmt.Sprintf("%s (in %s)", cred.ExpiresAt.UTC().Format(time.RFC3339), core.HumanDuration(cred.TimeLeft(now)))
	}
	row("Expires", exp)
	icon := map[core.VerifyResult]string{core.VerifyGood: "✅", core.VerifyBad: "❌", core.VerifyUnknown: "⚠️", core.VerifySkipped: "➖"}[ver.Result]
	row("Registry login", icon+" "+ver.String())
	return b.String()
}
