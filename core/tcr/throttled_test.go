package tcr_test

import (
	"errors"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// TestStillThrottledIsThrottledError: RequestLimitExceeded beyond the
// issuer's own retries is a core.ThrottledError, so that the rotation
// engine slows TCR's bucket and tries again rather than failing the
// target; the vendor's code is still there.
func TestStillThrottledIsThrottledError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tg := e.target(func(t *core.Target) { t.Registry = "reg.example.com" })
	e.srv.Inject(20, tcrtest.Fault{Action: "CreateInstanceToken", Code: "RequestLimitExceeded"})
	_, err := e.issuer(t, tg).Issue(ctx(t))
	if _, ok := core.Throttled(err); !ok || tcr.Code(err) != "RequestLimitExceeded" {
		t.Errorf("Issue: %v (code %q), want a core.ThrottledError carrying RequestLimitExceeded", err, tcr.Code(err))
	}
	e.srv.ClearFaults()
	e.srv.Inject(20, tcrtest.Fault{Action: "CreateInstanceToken", Code: "InternalError"})
	if _, err := e.issuer(t, tg).Issue(ctx(t)); err == nil || errors.As(err, new(*core.ThrottledError)) {
		t.Errorf("an internal error is not throttling: %v", err)
	}
}
