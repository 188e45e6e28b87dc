package swr

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 11, 1, 12, 18, 44, 382000000, time.UTC)
	for _, s := range []string{
		"2025-11-01T12:18:44.382000Z",
		"2025-11-01T12:18:44.382Z",
		"2025-11-01T20:18:44.382+08:00",
		"2025-11-01T12:18:44.382",
		"2025-11-01 12:18:44.382",
		strconv.FormatInt(want.UnixMilli(), 10),
	} {
		got, err := parseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, err := parseTime(strconv.FormatInt(want.Unix(), 10)); err != nil || !got.Equal(want.Truncate(time.Second)) {
		t.Errorf("epoch seconds: %v, %v", got, err)
	}
	for _, s := range []string{"", "soon", "2025-13-01T00:00:00Z"} {
		if _, err := parseTime(s); err == nil {
			t.Errorf("parseTime(%q): no error", s)
		}
	}
}

// reSWRName is SWR's rule for long-term credential names.
var reSWRName = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$`)

func TestLongTermNames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for desc, prefix := range map[string]string{
		"":                           "regmint-20260102-030405-",
		"CI push, team A":            "ci-push-team-a-20260102-030405-",
		"..__--":                     "regmint-",
		"prod.cluster__pull":         "prod.cluster-pull-",
		strings.Repeat("Ab_", 40):    "ab_ab_ab_",
		"数据 pipeline":                "pipeline-",
		"rotation/2026 (scheduled)!": "rotation-2026-scheduled-",
	} {
		got := ltName(desc, now)
		if !strings.HasPrefix(got, prefix) || !reSWRName.MatchString(got) || regexp.MustCompile(`[._-]{2}`).MatchString(got) || len(got) > 64 {
			t.Errorf("ltName(%q) = %q, want a valid name starting %q", desc, got, prefix)
		}
	}
	if a, b := ltName("x", now), ltName("x", now); a == b {
		t.Error("two names made at the same time are equal")
	}
}

func TestAccessHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"myreg-abc.swr.cn-north-4.myhuaweicloud.com":          "myreg-abc.swr.cn-north-4.myhuaweicloud.com",
		"https://myreg-abc.swr.cn-north-4.myhuaweicloud.com/": "myreg-abc.swr.cn-north-4.myhuaweicloud.com",
		"a.example.com:5000, b.example.com":                   "a.example.com:5000",
	} {
		got, err := accessHost(&in)
		if err != nil || got != want {
			t.Errorf("accessHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  ", "https://", "a host"} {
		if _, err := accessHost(&in); err == nil {
			t.Errorf("accessHost(%q): no error", in)
		}
	}
	if _, err := accessHost(nil); err == nil {
		t.Error("accessHost(nil): no error")
	}
}

// The SDK's JSON decoder quotes the body it failed on; that text never
// reaches an error.
func TestMalformedAnswerDropsTheSDKMessage(t *testing.T) {
	t.Parallel()
	secret := "0123456789abcdef-auth-token"
	sdkErr := &sdkerr.ServiceResponseError{StatusCode: 201, RequestId: "rid", ErrorMessage: `ReadString: ...|{"auth_token":"` + secret + `","cr|...`}
	err := vendorError(OpCreateInstanceTempCredential, sdkErr, nil)
	if !errors.Is(err, ErrMalformedResponse) || strings.Contains(err.Error(), secret) {
		t.Errorf("vendorError = %v", err)
	}
	// A vendor message that happens to quote a known secret is redacted.
	sdkErr = &sdkerr.ServiceResponseError{StatusCode: 400, ErrorCode: "X.1", ErrorMessage: "bad token " + secret}
	err = vendorError(OpCreateSecret, sdkErr, []string{secret})
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "X.1: bad token [redacted]") {
		t.Errorf("vendorError = %v", err)
	}
	// IAM's Keystone body becomes its message.
	sdkErr = &sdkerr.ServiceResponseError{StatusCode: 401, ErrorMessage: `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`}
	if got, want := vendorError(OpKeystoneCreateUserTokenByPassword, sdkErr, nil).Error(), "HTTP 401 Unauthorized: The username or password is wrong."; got != want {
		t.Errorf("vendorError = %q, want %q", got, want)
	}
}
