package rotatefn

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/internal/lambdatest"
	"github.com/regmint/regmint/internal/leaktest"
)

// failedError decodes the invocation's error, which must be a FailedError.
func failedError(t *testing.T, o lambdatest.Outcome) string {
	t.Helper()
	if o.Kind != lambdatest.KindError {
		t.Fatalf("runtime posted %s %s, want an error", o.Kind, o.Body)
	}
	var e struct{ ErrorMessage, ErrorType string }
	if err := json.Unmarshal(o.Body, &e); err != nil || e.ErrorType != "FailedError" {
		t.Fatalf("error body %q (%v), want a FailedError", o.Body, err)
	}
	return e.ErrorMessage
}

// TestLambdaOversizedAnswerFailsOneTarget (issue 12, item 2): a vendor
// endpoint answering an endless body fails its own target with an error
// naming the limit; the other targets are stored, and the process lives to
// serve the next invocation.
func TestLambdaOversizedAnswerFailsOneTarget(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	var written atomic.Int64
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("a", 64<<10))
		w.Write([]byte(`{"Response":{"RequestId":"`))
		for written.Load() < 256<<20 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(huge.Close)
	extra := fmt.Sprintf("{name: tcr-huge, provider: tcr, region: %s, instance-id: tcr-huge0001, registry: reg.example.com, api-endpoint: %q, credentials: {source: tencent}}", tcrRegion, huge.URL)
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, "", extra)}))

	msg := failedError(t, api.invoke(t, invokeTimeout))
	if !strings.Contains(msg, "1 of 4 targets") || !strings.Contains(msg, "tcr-huge: ") || !strings.Contains(msg, "larger than 1 MiB") {
		t.Errorf("error %q, want tcr-huge alone failed, naming the 1 MiB limit", msg)
	}
	for _, name := range targetNames {
		checkDockerConfig(t, "secret regmint/"+name, []byte(c.current(t, name).Value), 1)
	}
	if w := written.Load(); w > 64<<20 {
		t.Errorf("the function read %d MiB of an endless answer", w>>20)
	}
	if o := api.invoke(t, invokeTimeout); o.Kind != lambdatest.KindError {
		t.Errorf("second invocation: %s, want the same error", o.Kind)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String()})
}

// TestLambdaNeverOverwritesForeignSecret (issue 12, item 3): a target
// whose destination secret already holds a value regmint did not write
// (cloud keys another program put under the prefix) fails, naming the
// secret and what to do; the value is left as it was.
func TestLambdaNeverOverwritesForeignSecret(t *testing.T) {
	t.Parallel()
	c := newClouds(t)
	foreign := fmt.Sprintf(`{"access_key_id":"AKIDforeign","access_key_secret":%q}`, leaktest.Random(t))
	c.sm.Seed("regmint/tcr-temp", foreign)
	api := newRuntimeAPI(t)
	p := startLambda(t, api, merge(c.awsEnv(), map[string]string{config.EnvConfig: c.config(false, "")}))

	msg := failedError(t, api.invoke(t, invokeTimeout))
	if !strings.Contains(msg, "1 of 3 targets") || !strings.Contains(msg, "tcr-temp: ") || !strings.Contains(msg, "regmint did not write") ||
		!strings.Contains(msg, "delete or rename") {
		t.Errorf("error %q, want tcr-temp alone failed, saying the secret is not regmint's and what to do", msg)
	}
	if got := c.current(t, "tcr-temp").Value; got != foreign {
		t.Errorf("the foreign secret's value was replaced")
	}
	for _, name := range targetNames[1:] {
		checkDockerConfig(t, "secret regmint/"+name, []byte(c.current(t, name).Value), 1)
	}
	c.checkNoLeaks(t, map[string]string{"stdout": p.stdout.String(), "stderr": p.stderr.String(), "error": msg})
}
