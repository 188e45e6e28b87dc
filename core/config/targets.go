package config

import (
	"errors"
	"reflect"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// targetsTopKeys are the top-level keys a targets document may hold.
var targetsTopKeys = []string{"targets", "refresh-margin", "timeout"}

// wildcardRegion stands in, while a targets document is checked, for the
// region of a target that leaves it out to serve every region (see
// ParseTargets); it is removed again afterwards.
const wildcardRegion = "cn-north-4"

// acceptedTargetCredentials says what credentials a targets document
// accepts.
const acceptedTargetCredentials = "{env: true} (the default: the vendor's environment variables), {chain: true}, or for the kubelet credential provider {service-account: {...}}"

// ParseTargets reads a targets document: the config of the programs that
// serve credentials to the client asking for them (the docker credential
// helper, the kubelet credential provider) rather than write them
// somewhere. It holds a targets list with the same target keys, checks and
// named-field errors as Parse, and at the top only refresh-margin and
// timeout beside it. What only a rotation uses is refused with an error
// naming it: destinations, Secrets Manager credential sources,
// rotate-every and long-term tokens (a program that mints on demand would
// leave a long-term token behind at every refresh). A target without
// credentials reads the vendor's environment variables.
//
// A target of a provider whose registry host follows from the region alone
// (the SWR shared edition) may leave region and registry out: it then
// serves that provider's host of every region, and its TargetConfig.Region
// is empty after ParseTargets (see the descriptor's RegionOfHost).
func ParseTargets(data []byte) (*Config, error) {
	var wildcards []int
	cfg, err := parse(data, []StoreKind{{Name: servedKind}}, nil, func(doc map[string]any) errorList {
		var errs errorList
		for _, k := range sortedKeysOf(doc) {
			if !isTargetsTopKey(k) && isConfigKey(k) {
				errs.add(top, k, "is not used in a targets document (credential helper, kubelet credential provider)",
					"keys "+strings.Join(targetsTopKeys, ", ")+"; "+k+" belongs in the rotation function's config")
				delete(doc, k)
			}
		}
		doc["default-store"] = servedKind
		list, _ := doc["targets"].([]any)
		for i, el := range list {
			m, ok := el.(map[string]any)
			if !ok {
				continue
			}
			if prepareTarget(&errs, i, m) {
				wildcards = append(wildcards, i)
			}
		}
		return errs
	})
	if err != nil {
		return nil, err
	}
	var errs errorList
	for i := range cfg.Targets {
		checkServiceAccount(&errs, i, cfg.Targets[i])
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, i := range wildcards {
		cfg.Targets[i].Region = ""
	}
	for i := range cfg.Targets {
		cfg.Targets[i].Destinations = nil
	}
	cfg.DefaultStore = ""
	return cfg, nil
}

// servedKind is the store kind of a target in a targets document: the
// credential goes to the client that asked for it.
const servedKind = "(served to the client)"

// prepareTarget checks and adjusts targets[i] of a targets document before
// the schema check; it reports whether the target serves every region.
func prepareTarget(errs *errorList, i int, m map[string]any) (wildcard bool) {
	name, _ := m["name"].(string)
	at := loc{target: name, index: i}
	for _, k := range []string{"destination", "destinations"} {
		if _, ok := m[k]; ok {
			errs.add(at, k, "is not used in a targets document: the credential goes to the client that asks for it",
				"no "+k+"; destinations belong in the rotation function's config")
			delete(m, k)
		}
	}
	if _, ok := m["rotate-every"]; ok {
		errs.add(at, "rotate-every", "is not used in a targets document", "refresh-margin")
		delete(m, "rotate-every")
	}
	if tt, ok := m["token-type"].(string); ok && strings.EqualFold(tt, string(core.TokenLongTerm)) {
		errs.add(at, "token-type", "longterm is not served on demand: every refresh would leave a long-term token behind",
			"temp (the default); keep long-term tokens with the rotation function")
		delete(m, "token-type")
	}
	switch cr := m["credentials"].(type) {
	case nil:
		m["credentials"] = map[string]any{"env": true}
	case map[string]any:
		for _, k := range []string{"secret", "source"} {
			if _, ok := cr[k]; ok {
				errs.add(at, "credentials."+k, "is not read by the credential helper or kubelet provider (they read no Secrets Manager)", acceptedTargetCredentials)
				m["credentials"] = map[string]any{"env": true}
				break
			}
		}
	}
	provider, _ := m["provider"].(string)
	region, hasRegion := m["region"]
	_, hasRegistry := m["registry"]
	if (!hasRegion || region == nil || region == "") && !hasRegistry && regionalProvider(provider) {
		m["region"] = wildcardRegion
		return true
	}
	return false
}

// checkServiceAccount checks the keyless login of targets[i] with a pod's
// service account token as the provider checks keyless login.
func checkServiceAccount(errs *errorList, i int, tc TargetConfig) {
	sa := tc.Credentials.ServiceAccount
	if sa == nil {
		return
	}
	at := loc{target: tc.Name, index: i}
	const field = "credentials.service-account"
	if *sa == (ServiceAccount{}) {
		errs.add(at, field, "names nothing to exchange the token at",
			"{role-arn, oidc-provider-id} (Tencent CAM role and OIDC provider) or {idp-id} (Huawei IAM identity provider)")
		return
	}
	t := tc.Target()
	if t.Region == "" {
		t.Region = wildcardRegion
	}
	t.Auth = core.Auth{RoleARN: sa.RoleARN, OIDCProviderID: sa.OIDCProviderID, IdPID: sa.IdPID, WebIdentityToken: "checked"}
	errs.wrap(at, field+".", providers.Validate(t))
}

// refuseServiceAccount is the rotation config's check of what only a
// targets document holds: keyless login with a pod's service account
// token.
func refuseServiceAccount(doc map[string]any) errorList {
	var errs errorList
	list, _ := doc["targets"].([]any)
	for i, el := range list {
		m, _ := el.(map[string]any)
		cr, _ := m["credentials"].(map[string]any)
		if _, ok := cr["service-account"]; ok {
			name, _ := m["name"].(string)
			errs.add(loc{target: name, index: i}, "credentials.service-account",
				"is only used by the kubelet credential provider, which receives a pod's service account token",
				acceptedCredential)
			delete(cr, "service-account")
		}
	}
	return errs
}

// chainSupported reports whether provider p supports auth method chain.
func chainSupported(p string) bool {
	d, err := providers.Lookup(core.Provider(p))
	return err == nil && d.Supports(core.AuthChain)
}

// chainProviders says which providers have a credential chain.
func chainProviders() string {
	var names []string
	for _, d := range providers.All() {
		if d.Supports(core.AuthChain) {
			names = append(names, string(d.Name))
		}
	}
	return "{chain: true} with provider " + strings.Join(names, ", ") + "; {env: true} otherwise"
}

func isTargetsTopKey(k string) bool {
	for _, t := range targetsTopKeys {
		if k == t {
			return true
		}
	}
	return false
}

// isConfigKey reports whether k is a top-level key of the rotation config.
func isConfigKey(k string) bool {
	for _, key := range jsonKeys(reflectConfig) {
		if key == k {
			return true
		}
	}
	return false
}

var reflectConfig = reflect.TypeFor[Config]()

// regionalProvider reports whether the provider named p has a registry
// host per region (its descriptor's RegionOfHost is set).
func regionalProvider(p string) bool {
	d, err := providers.Lookup(core.Provider(strings.ToLower(p)))
	return err == nil && d.RegionOfHost != nil
}
