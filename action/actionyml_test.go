package main

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// allInputs and allOutputs are every name the code reads and writes.
var (
	allInputs = []string{inputProvider, inputRegion, inputInstanceID, inputRegistry, inputTokenType, inputRoleARN, inputOIDCProviderID,
		inputIdPID, inputAudience, inputIAMUser, inputIAMPassword, inputIAMDomain, inputProjectID, inputAccessKeyID, inputAccessSecret,
		inputSecurityToken, inputAPIEndpoint, inputIAMEndpoint, inputSTSEndpoint, inputVerify, inputMaskPassword, inputRevoke,
		inputSite, inputRoleSessionName, inputRoleDuration, inputHTTPProxy, inputNoProxy, inputInsecure, inputRealmHosts, inputRegistries}
	allOutputs = []string{outputRegistry, outputUsername, outputPassword, outputExpiresAt, outputTokenID, outputDockerConfig}
)

type actionMetadata struct {
	Inputs map[string]struct {
		Description string `json:"description"`
		Required    bool   `json:"required"`
		Default     *string
	} `json:"inputs"`
	Outputs map[string]struct {
		Description string `json:"description"`
	} `json:"outputs"`
	Runs map[string]string `json:"runs"`
}

// TestActionYMLMatchesCodeAndREADME keeps action.yml, the code and the
// README's tables saying the same thing.
func TestActionYMLMatchesCodeAndREADME(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var md actionMetadata
	if err := yaml.Unmarshal(raw, &md); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var ymlInputs, ymlOutputs []string
	for name, in := range md.Inputs {
		ymlInputs = append(ymlInputs, name)
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
		// region may come from the vendor's environment variable.
		if required := name == inputProvider; in.Required != required {
			t.Errorf("input %s required = %v, want %v", name, in.Required, required)
		}
		if !regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(name) + "` \\|").Match(readme) {
			t.Errorf("input %s is not in the README's inputs table", name)
		}
	}
	for name, out := range md.Outputs {
		ymlOutputs = append(ymlOutputs, name)
		if out.Description == "" {
			t.Errorf("output %s has no description", name)
		}
		if !strings.Contains(string(readme), "| `"+name+"` |") {
			t.Errorf("output %s is not in the README's outputs table", name)
		}
	}
	for _, c := range []struct {
		what      string
		yml, code []string
	}{{"inputs", ymlInputs, allInputs}, {"outputs", ymlOutputs, allOutputs}} {
		sort.Strings(c.yml)
		code := append([]string(nil), c.code...)
		sort.Strings(code)
		if !reflect.DeepEqual(c.yml, code) {
			t.Errorf("action.yml %s %q\ndiffer from the code's %q", c.what, c.yml, code)
		}
	}
	for name, want := range map[string]string{inputTokenType: "temp", inputVerify: "true", inputMaskPassword: "true", inputRevoke: "true"} {
		if d := md.Inputs[name].Default; d == nil || *d != want {
			t.Errorf("input %s default = %v, want %q", name, d, want)
		}
	}
	if md.Runs["using"] != "docker" || md.Runs["entrypoint"] != "/regmint-action" || !isPost(md.Runs["post-entrypoint"]) {
		t.Errorf("runs = %v: want a docker action whose post-entrypoint runs the post step", md.Runs)
	}
}

// TestDockerfile checks what cannot be built here (no Docker engine): the
// image holds the static binary at the entrypoint paths action.yml names and
// runs as root, as GitHub requires of container actions.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(raw)
	for _, want := range []string{
		"CGO_ENABLED=0", "-trimpath -ldflags='-s -w'", "-o /out/regmint-action ./action",
		"ln -s regmint-action /out/regmint-action-post", "\nFROM gcr.io/distroless/static-debian12:", `ENTRYPOINT ["/regmint-action"]`,
		`org.opencontainers.image.licenses="Apache-2.0"`, "org.opencontainers.image.source=", "org.opencontainers.image.description=",
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	// Every base image is pinned by digest: a tag can be moved, a digest not.
	froms := regexp.MustCompile(`(?m)^FROM (?:--platform=\S+ )?(\S+)`).FindAllStringSubmatch(df, -1)
	if len(froms) != 2 {
		t.Errorf("Dockerfile has %d FROM lines, want 2 (build and distroless)", len(froms))
	}
	for _, m := range froms {
		if !regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(m[1]) {
			t.Errorf("base image %s is not pinned by digest", m[1])
		}
	}
	if regexp.MustCompile(`(?m)^USER `).MatchString(df) || strings.Contains(df, ":nonroot") {
		t.Error("the image must run as root: GitHub mounts the file-command files writable by root only")
	}
}
