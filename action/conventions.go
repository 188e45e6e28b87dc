package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// Input names of the conventions users bring from other actions.
const (
	inputSite            = "site"
	inputRoleSessionName = "role-session-name"
	inputRoleDuration    = "role-duration-seconds"
	inputHTTPProxy       = "http-proxy"
	inputNoProxy         = "no-proxy"
)

// reNoProxyEntry is one entry of a no-proxy list, as NO_PROXY takes them:
// a host, a domain (".example.com"), an IP or CIDR, with an optional port,
// or "*".
var reNoProxyEntry = regexp.MustCompile(`^(\*|\.?[A-Za-z0-9.:\[\]/_-]+)$`)

// readConventions reads site, role-session-name, role-duration-seconds,
// http-proxy and no-proxy, fills an empty region from the vendor's
// environment variable (TENCENTCLOUD_REGION; HUAWEICLOUD_SDK_REGION or
// CLOUD_SDK_REGION) and normalises the target the way the rotation config
// does (core.Target.Normalize). It returns the input errors.
func readConventions(a inputSource, c *config) []error {
	var errs []error
	t := &c.target
	t.Site = a.GetInput(inputSite)
	d, _ := providers.Lookup(core.Provider(core.NormalizeName(string(t.Provider))))
	if v := a.GetInput(inputRoleSessionName); v != "" {
		if d.Name != "" && !d.STSSession {
			errs = append(errs, &core.FieldError{Field: inputRoleSessionName, Problem: "is only used by keyless login through a role session (provider tcr)", Accepted: "empty for provider " + string(d.Name)})
		}
		t.Auth.SessionName = v
	}
	if v := a.GetInput(inputRoleDuration); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, &core.FieldError{Field: inputRoleDuration, Problem: fmt.Sprintf("%q is not a number of seconds", v), Accepted: "whole seconds from 900 to 43200 (default 3600)"})
		} else {
			t.Auth.SessionDuration = time.Duration(n) * time.Second
		}
	}
	*t = t.Normalize()
	if t.Region == "" {
		r, fe := core.CheckRegionFromEnv(d, a.Getenv, inputRegion)
		if fe != nil {
			errs = append(errs, fe)
			t.Region = "ap-guangzhou" // reported above; keeps "is required" from repeating it
		}
		if r != "" {
			t.Region = r
		}
	}
	proxy, noProxy := a.GetInput(inputHTTPProxy), a.GetInput(inputNoProxy)
	if proxy != "" {
		if err := checkProxy(proxy); err != nil {
			errs = append(errs, err)
		} else if u, _ := url.Parse(proxy); u.User != nil {
			if pw, ok := u.User.Password(); ok {
				c.proxyPassword = pw
			}
		}
	}
	if noProxy != "" {
		for _, e := range strings.Split(noProxy, ",") {
			if e = strings.TrimSpace(e); e != "" && !reNoProxyEntry.MatchString(e) {
				errs = append(errs, &core.FieldError{Field: inputNoProxy, Problem: fmt.Sprintf("%q is not a host, domain, IP or CIDR", e),
					Accepted: "a comma-separated list as NO_PROXY takes, e.g. .internal,10.0.0.0/8,registry.example.com:5000"})
			}
		}
	}
	if (proxy != "" || noProxy != "") && len(errs) == 0 {
		c.transport = proxyTransport(proxy, noProxy, a.Getenv)
	}
	return errs
}

// checkProxy checks an http-proxy value: http://, https:// or socks5://
// host[:port], optionally with user information (then never shown).
func checkProxy(v string) error {
	u, err := url.Parse(v)
	ok := err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "socks5") && u.Hostname() != "" &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == ""
	if ok {
		return nil
	}
	shown := fmt.Sprintf("%q is not a proxy URL", v)
	if strings.Contains(v, "@") {
		shown = "is not a proxy URL (the value is not shown: it may hold a password)"
	}
	return &core.FieldError{Field: inputHTTPProxy, Problem: shown, Accepted: "http://host:port, https://host:port or socks5://host:port"}
}

// proxyTransport is a clone of http.DefaultTransport whose proxy is the
// http-proxy input for both http and https requests (else HTTPS_PROXY /
// HTTP_PROXY), skipped for the no-proxy hosts (else NO_PROXY), with the
// semantics of those variables: loopback addresses are never proxied.
func proxyTransport(proxy, noProxy string, getenv func(string) string) *http.Transport {
	env := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	pc := httpproxy.Config{
		HTTPProxy:  env("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: env("HTTPS_PROXY", "https_proxy"),
		NoProxy:    env("NO_PROXY", "no_proxy"),
	}
	if proxy != "" {
		pc.HTTPProxy, pc.HTTPSProxy = proxy, proxy
	}
	if noProxy != "" {
		pc.NoProxy = noProxy
	}
	f := pc.ProxyFunc()
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = func(r *http.Request) (*url.URL, error) { return f(r.URL) }
	return t
}
