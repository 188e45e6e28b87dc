package core

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// FieldInsecureEndpoints names the switch that allows plain http to
// endpoints that are not loopback or private addresses.
const FieldInsecureEndpoints = "insecure-endpoints"

// PlainHTTPAllowed reports whether host (a host name or IP literal, without
// port) may be called over plain http without insecure-endpoints: a
// loopback, private (RFC 1918, RFC 4193) or link-local IP literal, or
// "localhost". A host name other than localhost is not: its address is
// not known before a DNS lookup, which may answer anything.
func PlainHTTPAllowed(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast())
}

// CheckTransport refuses a plain http endpoint URL to a host
// PlainHTTPAllowed does not allow, unless insecure is set: such an
// endpoint receives keys, passwords or OIDC tokens in the clear. It is
// checked before any network call.
func CheckTransport(endpoint string, insecure bool) error {
	u, err := url.Parse(endpoint)
	if err != nil || insecure || !strings.EqualFold(u.Scheme, "http") || PlainHTTPAllowed(u.Hostname()) {
		return nil
	}
	return errors.New("is plain http to a host that is not a loopback or private address: what it is sent (keys, passwords, tokens) would cross the network in the clear")
}
