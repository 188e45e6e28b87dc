package rotatefn

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/config/ssmtest"
)

// TestLambdaGroupedDestination runs the function, its config read from an
// SSM parameter, over targets whose logins are parts of one Secrets
// Manager secret (store secretsmanager-docker-config): the first
// invocation writes every part, and the secret's value is a docker
// config.json that the docker CLI's loader reads as is and whose every
// auths entry logs in to its registry; the second invocation mints and
// writes nothing. No secret reaches the logs.
func TestLambdaGroupedDestination(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	// The three targets of c.config, each grouped into secret "pull".
	var doc strings.Builder
	for _, line := range strings.Split(c.config(false, "name-prefix: regmint/\n"), "\n") {
		if strings.HasPrefix(line, "  - {name: ") {
			line = strings.TrimSuffix(line, "}") + ", destination: {store: secretsmanager-docker-config, secret-name: pull}}"
		}
		doc.WriteString(line + "\n")
	}
	ssm := ssmtest.New(c.sm.Region, c.sm.Key())
	t.Cleanup(ssm.Close)
	ssm.Put("/regmint/config", doc.String())
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{
		config.EnvConfigSSMParameter: "/regmint/config",
		"AWS_ENDPOINT_URL_SSM":       ssm.URL,
	}))

	first := decodeSummary(t, api.invoke(t, invokeTimeout))
	if first.Targets != 3 || first.Rotated != 3 || first.Failed != 0 {
		t.Fatalf("first invocation: %+v, want 3 rotated", first)
	}
	if names := c.sm.SecretNames(); strings.Join(names, ",") != "regmint/pull,src/huawei,src/tencent" {
		t.Errorf("secrets %v, want the grouped one and the sources", names)
	}
	v := c.current(t, "pull")
	var parts struct {
		Regmint struct {
			Parts map[string]json.RawMessage `json:"parts"`
		} `json:"regmint"`
	}
	if err := json.Unmarshal([]byte(v.Value), &parts); err != nil {
		t.Fatalf("the grouped value is not JSON: %v", err)
	}
	for _, name := range targetNames {
		if parts.Regmint.Parts[name] == nil {
			t.Errorf("no part %s in the grouped secret", name)
		}
	}
	// A consumer's check: docker's own loader, and a login to each
	// registry emulator with its auths entry.
	checkDockerConfig(t, "secret regmint/pull", []byte(v.Value), len(targetNames))
	issued, writes := c.issues(), c.sm.Calls("PutSecretValue")+c.sm.Calls("CreateSecret")+c.sm.Calls("UpdateSecretVersionStage")
	t.Logf("first invocation: %d write calls, %d Secrets Manager calls in all", writes, c.sm.TotalCalls())

	second := decodeSummary(t, api.invoke(t, invokeTimeout))
	if second.Rotated != 0 || second.Skipped != 3 || second.Failed != 0 {
		t.Errorf("second invocation: %+v, want 3 fresh", second)
	}
	if got := c.issues(); got != issued {
		t.Errorf("second invocation minted %d credentials, want none", got-issued)
	}
	if got := c.sm.Calls("PutSecretValue") + c.sm.Calls("CreateSecret") + c.sm.Calls("UpdateSecretVersionStage"); got != writes {
		t.Errorf("second invocation made %d write calls, want none", got-writes)
	}
	if after := c.current(t, "pull"); after.ID != v.ID {
		t.Errorf("the grouped secret has a new version after an idle invocation")
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String(), "summaries": fmt.Sprintf("%+v %+v", first, second)})
}
