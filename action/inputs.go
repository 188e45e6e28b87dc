package main

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// Input names, as action.yml declares them.
const (
	inputProvider       = "provider"
	inputRegion         = "region"
	inputInstanceID     = "instance-id"
	inputRegistry       = "registry"
	inputTokenType      = "token-type"
	inputRoleARN        = "role-arn"
	inputOIDCProviderID = "oidc-provider-id"
	inputIdPID          = "idp-id"
	inputAudience       = "audience"
	inputIAMUser        = "iam-user"
	inputIAMPassword    = "iam-password"
	inputIAMDomain      = "iam-domain"
	inputProjectID      = "project-id"
	inputAccessKeyID    = "access-key-id"
	inputAccessSecret   = "access-key-secret"
	inputSecurityToken  = "security-token"
	inputAPIEndpoint    = "api-endpoint"
	inputIAMEndpoint    = "iam-endpoint"
	inputSTSEndpoint    = "sts-endpoint"
	inputVerify         = "verify"
	inputMaskPassword   = "mask-password"
	inputRevoke         = "revoke"
	inputInsecure       = core.FieldInsecureEndpoints
	inputRealmHosts     = core.FieldRealmHosts
	inputRegistries     = "registries"
)

// envOIDCRequestURL is set by the runner when the job may request an OIDC
// token (permissions: id-token: write).
const envOIDCRequestURL = "ACTIONS_ID_TOKEN_REQUEST_URL"

// config is everything the action's inputs say, validated.
type config struct {
	target core.Target
	// provider is the target's provider descriptor (zero when the
	// provider input is bad).
	provider     core.Descriptor
	verify       bool
	maskPassword bool
	revoke       bool
	// audience of the GitHub OIDC token, when keyless.
	audience string
	// transport carries every request when http-proxy or no-proxy is
	// given; nil: the default (HTTPS_PROXY, NO_PROXY).
	transport http.RoundTripper
	// proxyPassword is the password in http-proxy, masked.
	proxyPassword string
	// realmHosts are the hosts besides the registry's a token realm may be on.
	realmHosts []string
	// instances are the instance ids of the registries input: one
	// credential each; empty: the one target.
	instances []string
}

// maxRegistries bounds the registries input: each is a mint and a login.
const maxRegistries = 10

// targets returns what the step mints: one target per instance of the
// registries input, else the one target.
func (c *config) targets() []core.Target {
	if len(c.instances) == 0 {
		return []core.Target{c.target}
	}
	out := make([]core.Target, len(c.instances))
	for i, id := range c.instances {
		out[i] = c.target
		out[i].InstanceID = id
	}
	return out
}

// keyless reports whether the target logs in with a GitHub OIDC token.
func (c *config) keyless() bool { return c.target.Auth.Method() == core.AuthOIDC }

// inputSource is the part of githubactions.Action the parser reads.
type inputSource interface {
	GetInput(name string) string
	Getenv(key string) string
}

// configFromInputs reads and validates every input up front, before any
// network call. The error lists every bad input, each naming the input and
// what it accepts; it never holds a secret.
func configFromInputs(a inputSource) (*config, error) {
	var errs []error
	boolInput := func(name string, def bool) bool {
		switch v := strings.ToLower(a.GetInput(name)); v {
		case "":
			return def
		case "true":
			return true
		case "false":
			return false
		default:
			errs = append(errs, &core.FieldError{Field: name, Problem: fmt.Sprintf("%q is not a boolean", a.GetInput(name)), Accepted: "true, false"})
			return def
		}
	}
	c := &config{
		target: core.Target{
			Provider:    core.Provider(strings.ToLower(a.GetInput(inputProvider))),
			Region:      a.GetInput(inputRegion),
			InstanceID:  a.GetInput(inputInstanceID),
			Registry:    a.GetInput(inputRegistry),
			TokenType:   core.TokenType(strings.ToLower(a.GetInput(inputTokenType))),
			APIEndpoint: a.GetInput(inputAPIEndpoint),
			IAMEndpoint: a.GetInput(inputIAMEndpoint),
			STSEndpoint: a.GetInput(inputSTSEndpoint),
			Description: "regmint GitHub Action",
			Auth: core.Auth{
				AccessKeyID:     a.GetInput(inputAccessKeyID),
				AccessKeySecret: a.GetInput(inputAccessSecret),
				SecurityToken:   a.GetInput(inputSecurityToken),
				ProjectID:       a.GetInput(inputProjectID),
				IAMUser:         a.GetInput(inputIAMUser),
				IAMPassword:     a.GetInput(inputIAMPassword),
				IAMDomain:       a.GetInput(inputIAMDomain),
				RoleARN:         a.GetInput(inputRoleARN),
				OIDCProviderID:  a.GetInput(inputOIDCProviderID),
				IdPID:           a.GetInput(inputIdPID),
				SessionName:     "regmint-github-action",
			},
		},
		audience: a.GetInput(inputAudience),
	}
	c.verify = boolInput(inputVerify, true)
	c.maskPassword = boolInput(inputMaskPassword, true)
	c.revoke = boolInput(inputRevoke, true)
	c.target.InsecureEndpoints = boolInput(inputInsecure, false)
	c.realmHosts = strings.FieldsFunc(a.GetInput(inputRealmHosts), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	if err := core.CheckRealmHosts(c.realmHosts); err != nil {
		errs = append(errs, &core.FieldError{Field: inputRealmHosts, Problem: err.Error(), Accepted: "host names separated by commas, e.g. auth.example.com"})
	}
	if repo := a.Getenv("GITHUB_REPOSITORY"); repo != "" {
		c.target.Description = "regmint GitHub Action, " + repo
	}
	errs = append(errs, readConventions(a, c)...)
	errs = append(errs, readRegistries(a, c)...)
	c.provider, _ = providers.Lookup(c.target.Provider)
	badRegistries := len(c.instances) == 0 && a.GetInput(inputRegistries) != ""
	for i, t := range c.targets() {
		err := providers.Validate(t)
		switch {
		case len(c.instances) > 0:
			err = asRegistriesError(err, t.InstanceID, i > 0)
		case badRegistries && t.InstanceID == "":
			// registries stands for instance-id: its problem is reported.
			err = withoutField(err, core.FieldInstanceID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.audience != "" && !c.keyless() {
		errs = append(errs, &core.FieldError{
			Field:    inputAudience,
			Problem:  "is only used with keyless login",
			Accepted: "role-arn and oidc-provider-id (provider tcr) or idp-id (the Huawei providers) with it, or no audience",
		})
	}
	if len(errs) == 0 && c.keyless() {
		if c.audience == "" {
			c.audience = c.provider.Audience
		}
		if a.Getenv(envOIDCRequestURL) == "" {
			field := c.provider.OIDCField
			errs = append(errs, &core.FieldError{
				Field:    field,
				Problem:  "keyless login needs a GitHub OIDC token, but " + envOIDCRequestURL + " is not set",
				Accepted: "add `permissions: id-token: write` to the workflow or job",
			})
		}
	}
	if len(errs) > 0 {
		return nil, inputError(errors.Join(errs...))
	}
	return c, nil
}

// inputError renders validation errors as one line: "input x: ...; input y: ...".
func inputError(err error) error {
	fes := core.FieldErrors(err)
	if len(fes) == 0 {
		return err
	}
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = "input " + fe.Error()
	}
	return errors.New(strings.Join(parts, "; "))
}

// readRegistries reads the registries input: instance ids separated by
// commas, spaces or lines, each minted in turn. It takes the place of
// instance-id (and of registry, which names one host).
func readRegistries(a inputSource, c *config) []error {
	v := a.GetInput(inputRegistries)
	if v == "" {
		return nil
	}
	var errs []error
	seen := map[string]bool{}
	for _, id := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if !seen[id] {
			seen[id] = true
			c.instances = append(c.instances, id)
		}
	}
	accepted := "instance ids separated by commas, e.g. tcr-abcd1234,tcr-efgh5678, without instance-id or registry"
	switch {
	case c.target.InstanceID != "":
		errs = append(errs, &core.FieldError{Field: inputRegistries, Problem: "is set together with instance-id", Accepted: accepted})
	case c.target.Registry != "":
		errs = append(errs, &core.FieldError{Field: inputRegistries, Problem: "is set together with registry, which names one host", Accepted: accepted})
	case len(c.instances) > maxRegistries:
		errs = append(errs, &core.FieldError{Field: inputRegistries, Problem: fmt.Sprintf("names %d instances", len(c.instances)), Accepted: fmt.Sprintf("at most %d", maxRegistries)})
	}
	if len(errs) > 0 {
		c.instances = nil
	}
	return errs
}

// asRegistriesError renames the instance-id problems of one of the
// registries' targets to the registries input, naming the instance; with
// onlyInstance, the other problems (the same for every target) are
// dropped.
func asRegistriesError(err error, id string, onlyInstance bool) error {
	var out []error
	for _, fe := range core.FieldErrors(err) {
		if fe.Field == core.FieldInstanceID {
			problem := fe.Problem
			if !strings.Contains(problem, id) || id == "" {
				problem = fmt.Sprintf("instance %q: %s", id, problem)
			}
			out = append(out, &core.FieldError{Field: inputRegistries, Problem: problem, Accepted: fe.Accepted})
			continue
		}
		if !onlyInstance {
			out = append(out, fe)
		}
	}
	return errors.Join(out...)
}

// withoutField drops the problems of field from a validation error.
func withoutField(err error, field string) error {
	var out []error
	for _, fe := range core.FieldErrors(err) {
		if fe.Field != field {
			out = append(out, fe)
		}
	}
	return errors.Join(out...)
}
