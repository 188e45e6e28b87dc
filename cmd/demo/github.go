package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// ghRepo is the repository whose Actions secrets the rotation demo writes.
const ghRepo = "octo-org/app"

// showGitHub shows what a workflow of ghRepo reads after the rotation runs:
// the secret names written for ref TCR, that the emulated GitHub decrypted
// each to the credential minted (the one the Secrets Manager also holds as
// regmint/tcr-temp), and the metadata variable's fields, none secret.
// minted are the passwords the emulated TCR handed out.
func showGitHub(p *printer, gh *ghtest.Server, smEmu *smtest.Server, minted []string) error {
	sc := ghtest.Repo(ghRepo)
	s, ok := smEmu.Secret("regmint/tcr-temp")
	if !ok {
		return fmt.Errorf("no secret regmint/tcr-temp; secrets: %v", smEmu.SecretNames())
	}
	cur, ok := s.Current()
	if !ok {
		return fmt.Errorf("secret regmint/tcr-temp has no AWSCURRENT version")
	}
	var want struct {
		Registry string `json:"registry"`
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal([]byte(cur.Value), &want); err != nil {
		return fmt.Errorf("secret regmint/tcr-temp: %w", err)
	}
	if want.Password == "" || !slices.Contains(minted, want.Password) {
		return fmt.Errorf("secret regmint/tcr-temp does not hold a password the emulated TCR minted")
	}

	names := gh.SecretNames(sc)
	p.f("    %s, GitHub Actions secrets (values not shown): %s", sc, strings.Join(names, ", "))
	wantDocker := map[string]string{
		"username": want.Username,
		"password": want.Password,
		"auth":     core.DockerAuth(want.Username, want.Password),
	}
	for _, c := range []struct {
		name  string
		match func(string) bool
	}{
		{"TCR_REGISTRY", func(v string) bool { return v == want.Registry }},
		{"TCR_USERNAME", func(v string) bool { return v == want.Username }},
		{"TCR_PASSWORD", func(v string) bool { return v == want.Password }},
		{"TCR_DOCKER_CONFIG", func(v string) bool {
			var dc struct {
				Auths map[string]map[string]string `json:"auths"`
			}
			if json.Unmarshal([]byte(v), &dc) != nil || len(dc.Auths) != 1 {
				return false
			}
			a := dc.Auths[want.Registry]
			for k, w := range wantDocker {
				if a[k] != w {
					return false
				}
			}
			return true
		}},
	} {
		sec, ok := gh.Secret(sc, c.name)
		if !ok {
			return fmt.Errorf("%s: no secret %s; secrets: %v", sc, c.name, names)
		}
		if !c.match(sec.Value) {
			return fmt.Errorf("%s: secret %s, as the emulated GitHub decrypted it, is not the minted credential", sc, c.name)
		}
		p.f("      %-17s decrypted by the emulated GitHub: matches the minted credential", c.name)
	}

	const metaName = "TCR_REGMINT_META"
	v, ok := gh.Variable(sc, metaName)
	if !ok {
		return fmt.Errorf("%s: no variable %s", sc, metaName)
	}
	var meta struct {
		Regmint         int      `json:"regmint"`
		Registry        string   `json:"registry"`
		Username        string   `json:"username"`
		ExpiresAt       string   `json:"expires_at"`
		IssuedAt        string   `json:"issued_at"`
		Fingerprint     string   `json:"fingerprint"`
		TokenID         string   `json:"token_id"`
		PreviousTokenID string   `json:"previous_token_id"`
		Secrets         []string `json:"secrets"`
	}
	if err := json.Unmarshal([]byte(v.Value), &meta); err != nil {
		return fmt.Errorf("%s: variable %s: %w", sc, metaName, err)
	}
	if meta.Registry != want.Registry || meta.Username != want.Username {
		return fmt.Errorf("%s: variable %s describes %s@%s, not the minted credential", sc, metaName, meta.Username, meta.Registry)
	}
	p.f("    variable %s (an Actions variable: no secret in it), e.g. ${{ fromJSON(vars.%s).registry }}:", metaName, metaName)
	fields := []struct{ k, v string }{
		{"regmint", fmt.Sprint(meta.Regmint)},
		{"registry", meta.Registry},
		{"username", meta.Username},
		{"expires_at", meta.ExpiresAt},
		{"issued_at", meta.IssuedAt},
		{"fingerprint", meta.Fingerprint},
		{"token_id", meta.TokenID},
		{"previous_token_id", meta.PreviousTokenID},
		{"secrets", strings.Join(meta.Secrets, ", ")},
	}
	for _, f := range fields {
		if f.v != "" {
			p.f("      %-17s %s", f.k, f.v)
		}
	}
	return nil
}

// ghSecrets returns the emulated GitHub's secrets for the leak check: the
// installation tokens it minted and the decrypted value of every Actions
// secret written to ghRepo.
func ghSecrets(gh *ghtest.Server) []string {
	out := gh.InstallationTokens()
	sc := ghtest.Repo(ghRepo)
	for _, name := range gh.SecretNames(sc) {
		if name == "TCR_REGISTRY" || name == "TCR_USERNAME" {
			continue // not secret, and printed on purpose
		}
		if s, ok := gh.Secret(sc, name); ok {
			out = append(out, s.Value)
		}
	}
	return out
}
