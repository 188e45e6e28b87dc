package core

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// FieldRealmHosts names the hosts, besides a registry's own, that a token
// realm may be on.
const FieldRealmHosts = "realm-hosts"

// RealmAllowed reports whether a Bearer challenge of registry (host[:port])
// may send the credential to a token realm on realmHost: the registry's own
// host name, or one of allowed (host names, compared case-insensitively).
// go-containerregistry's own guard checks IP literals only, so without this
// a registry could make regmint log in to any internal name.
func RealmAllowed(registry, realmHost string, allowed []string) bool {
	regHost := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		regHost = h
	}
	if strings.EqualFold(realmHost, regHost) {
		return true
	}
	for _, a := range allowed {
		if strings.EqualFold(realmHost, a) {
			return true
		}
	}
	return false
}

// CheckRealmHosts checks realm-hosts values: host names or IP literals,
// without scheme, port or path.
func CheckRealmHosts(hosts []string) error {
	for _, h := range hosts {
		if strings.Contains(h, ":") && !strings.HasPrefix(h, "[") {
			if net.ParseIP(h) == nil {
				return fmt.Errorf("%q is not a host name (no scheme, port or path)", h)
			}
			continue
		}
		if err := checkHost(h); err != nil || h == "" {
			return fmt.Errorf("%q is not a host name (no scheme, port or path)", h)
		}
	}
	return nil
}

// checkRealm refuses a token realm the credential must not be sent to: on
// a host RealmAllowed does not allow, or plain http to a public host.
func (v Verifier) checkRealm(registry string, realm *url.URL) error {
	if !RealmAllowed(registry, realm.Hostname(), v.RealmHosts) {
		return fmt.Errorf("the registry's token realm is on host %s, which is neither the registry's host nor in %s: the credential was not sent", Escape(realm.Hostname()), FieldRealmHosts)
	}
	if CheckTransport(realm.String(), v.Insecure) != nil {
		return fmt.Errorf("the registry's token realm on host %s is plain http to a public address: the credential was not sent", Escape(realm.Hostname()))
	}
	return nil
}
