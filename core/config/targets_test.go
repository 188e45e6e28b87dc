package config_test

import (
	"strings"
	"testing"

	"github.com/regmint/regmint/core/config"
)

func TestParseTargets(t *testing.T) {
	cfg, err := config.ParseTargets([]byte(`
refresh-margin: 20m
targets:
- name: app
  provider: TCR
  region: ap-guangzhou
  instance-id: tcr-abcd1234
- name: hw
  provider: swr
- name: hw-gz
  provider: swr
  region: cn-south-1
  credentials: {env: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Targets) != 3 {
		t.Fatalf("%d targets", len(cfg.Targets))
	}
	app, hw, gz := cfg.Targets[0], cfg.Targets[1], cfg.Targets[2]
	if app.Provider != "tcr" || app.TokenType != "temp" || app.RefreshMargin.String() != "20m0s" || !app.Verifies() {
		t.Errorf("defaults not filled in: %+v", app)
	}
	if app.Credentials == nil || !app.Credentials.Env || len(app.Destinations) != 0 {
		t.Errorf("credentials %+v destinations %v; want env and none", app.Credentials, app.Destinations)
	}
	if hw.Region != "" {
		t.Errorf("a shared-edition target without a region serves every region; Region = %q", hw.Region)
	}
	if gz.Region != "cn-south-1" {
		t.Errorf("Region = %q", gz.Region)
	}
}

// TestParseTargetsRefuses: what only the rotation uses is refused with an
// error naming the key, beside the checks every config gets.
func TestParseTargetsRefuses(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"destination", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, destination: {store: file}}",
			`target "a" (targets[0]): destination: is not used in a targets document`},
		{"destinations", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, destinations: []}",
			`target "a" (targets[0]): destinations: is not used`},
		{"secret", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {secret: x}}",
			`target "a" (targets[0]): credentials.secret: is not read by the credential helper`},
		{"longterm", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, token-type: longterm}",
			`token-type: longterm is not served on demand`},
		{"top-level", "github: {app-id: 1}\ntargets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234}",
			`config: github: is not used in a targets document`},
		{"rotate-every", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, rotate-every: 1h}",
			`rotate-every: is not used in a targets document`},
		{"unknown key", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, colour: red}",
			`colour`},
		{"tcr without region", "targets:\n- {name: a, provider: tcr, instance-id: tcr-abcd1234}",
			`target "a" (targets[0]): region: is required`},
		{"bad instance", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: nope}",
			`instance-id: "nope" is not a TCR instance id`},
		{"no targets", "refresh-margin: 10m", "targets: is empty"},
		{"secret value", "targets:\n- {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, access-key-secret: hunter2hunter2}",
			`access-key-secret`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.ParseTargets([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "(served") || strings.Contains(err.Error(), "default-store") {
				t.Errorf("error shows a secret or the internal store kind: %v", err)
			}
		})
	}
}
