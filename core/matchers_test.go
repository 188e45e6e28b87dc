package core

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The expressions the hand-written matchers stand for.
var (
	regionExpr    = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+){1,4}$`)
	hostLabelExpr = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

func checkMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := validRegionID(s), regionExpr.MatchString(s); got != want {
		t.Errorf("validRegionID(%q) = %v, the expression says %v", s, got, want)
	}
	if got, want := validHostLabel(s), hostLabelExpr.MatchString(s); got != want {
		t.Errorf("validHostLabel(%q) = %v, the expression says %v", s, got, want)
	}
}

// TestMatchers: each hand-written matcher accepts what its expression
// accepts, and nothing else.
func TestMatchers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "a", "ap", "ap-", "ap-guangzhou", "cn-north-4", "ap-southeast-1", "a-b", "ab-c-d-e-f", "ab-c-d-e-f-g",
		"AP-guangzhou", "ap--x", "ap-x-", "ap1-x", "ap-Guangzhou", "ap_x", "ap-x\n", "é-x", "x", "-", "-a", "a-",
		"a-b-c", "myreg", "0", strings.Repeat("a", 63), strings.Repeat("a", 64), "a\x00", "tcr-0001.tencentcloudcr",
	} {
		checkMatchers(t, s)
	}
}

// FuzzMatchers holds the hand-written matchers to their expressions.
func FuzzMatchers(f *testing.F) {
	f.Add("ap-guangzhou")
	f.Add("my-reg-1")
	f.Fuzz(checkMatchers)
}

// checkHostURL is checkHost without its shortcut for plain host names: the
// URL parser's reading of every host.
func checkHostURL(h string) error {
	if strings.Contains(h, "://") {
		return errors.New("has a scheme")
	}
	u, err := url.Parse("//" + h)
	if err != nil || u.Host != h || u.Path != "" {
		return errors.New("is not a host[:port]")
	}
	host := u.Hostname()
	if host == "" {
		return errors.New("has no host name")
	}
	if port := u.Port(); port != "" {
		if len(port) > 5 || strings.TrimLeft(port, "0123456789") != "" {
			return errors.New("has a bad port")
		}
	}
	if strings.HasPrefix(host, "[") || strings.Contains(host, ":") {
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if !validHostLabel(label) {
			return errors.New("is not a valid host name")
		}
	}
	return nil
}

func checkHostSame(t *testing.T, h string) {
	t.Helper()
	if got, want := fmt.Sprint(checkHost(h)), fmt.Sprint(checkHostURL(h)); got != want {
		t.Errorf("checkHost(%q) = %s, the URL parser's reading %s", h, got, want)
	}
}

// TestCheckHostShortcut: plain host names are judged as the URL parser
// judges them.
func TestCheckHostShortcut(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"", "a", "myreg.tencentcloudcr.com", "a..b", ".a", "a.", "-a.b", "a-.b", "a.b:5000", "[::1]:5000",
		"a/b", "a b", strings.Repeat("a", 64) + ".com", "1.2.3.4", "A.B", "a@b", "-", "."} {
		checkHostSame(t, h)
	}
}

// FuzzCheckHostShortcut holds checkHost to the URL parser's reading.
func FuzzCheckHostShortcut(f *testing.F) {
	f.Add("myreg.tencentcloudcr.com")
	f.Add("a.b:5000")
	f.Fuzz(checkHostSame)
}
