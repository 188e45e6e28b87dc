package github_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
)

// TestRateLimitHonoured: each shape of rate-limit answer is waited for (as
// long as its headers say, through the injected sleep) and the call is
// sent again.
func TestRateLimitHonoured(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		fault    ghtest.Fault
		min, max time.Duration // the wait asked for
	}{
		{"primary 403", ghtest.PrimaryRateLimit(ghtest.EndpointPutSecret, 403, 1500*time.Millisecond), time.Second, 4 * time.Second},
		{"primary 429", ghtest.PrimaryRateLimit(ghtest.EndpointGetVariable, 429, time.Second), time.Second, 3 * time.Second},
		{"secondary 403", ghtest.SecondaryRateLimit(ghtest.EndpointPublicKey, 403, 7*time.Second), 7 * time.Second, 7 * time.Second},
		{"secondary 429", ghtest.SecondaryRateLimit(ghtest.EndpointCreateVariable, 429, 3*time.Second), 3 * time.Second, 3 * time.Second},
		{"bare 429 with Retry-After", ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 429, Message: "Too Many Requests", RetryAfter: 2 * time.Second}, 2 * time.Second, 2 * time.Second},
		{"secondary without a time", ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 403, Message: "You have exceeded a secondary rate limit.", Docs: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}, time.Minute, time.Minute},
		{"app token exchange", ghtest.SecondaryRateLimit(ghtest.EndpointAccessToken, 403, 5*time.Second), 5 * time.Second, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withApp)
			s := e.repoStore(t)
			e.srv.Inject(2, tt.fault)
			r := e.record("rate.example.com", "pw-rate-limit-00001")
			if err := s.Put(ctx, "rate", r); err != nil {
				t.Fatal(e.text(err))
			}
			waits := e.waits.list()
			if len(waits) != 2 {
				t.Fatalf("waits %v, want 2", waits)
			}
			for _, w := range waits {
				if w < tt.min || w > tt.max {
					t.Errorf("waited %s, want between %s and %s", w, tt.min, tt.max)
				}
			}
			if got := e.srv.Calls(tt.fault.Endpoint); got < 3 {
				t.Errorf("%s calls = %d, want the 2 refused and one more", tt.fault.Endpoint, got)
			}
			if _, err := s.Get(ctx, "rate"); err != nil {
				t.Error(e.text(err))
			}
		})
	}
}

// TestRateLimitNotWaited: a reset too far away, beyond the deadline, or
// one that keeps coming back ends the call with an error naming it.
func TestRateLimitNotWaited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     ghtest.Fault
		n         int
		deadline  time.Duration
		wantMsg   string
		wantWaits int
	}{
		{"reset in an hour", ghtest.PrimaryRateLimit(ghtest.EndpointGetVariable, 403, time.Hour), 1, 0, "longer than the 2m0s this client waits", 0},
		{"beyond the deadline", ghtest.SecondaryRateLimit(ghtest.EndpointGetVariable, 429, 90*time.Second), 1, time.Minute, "beyond the deadline", 0},
		{"keeps coming", ghtest.SecondaryRateLimit(ghtest.EndpointGetVariable, 403, time.Second), -1, 0, "still rate limited after 3 waits", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPAT)
			s := e.repoStore(t)
			e.srv.Inject(tt.n, tt.fault)
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			_, err := s.Get(ctx, "tcr")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			msg := e.text(err)
			for _, w := range []string{"github get variable TCR_REGMINT_META in repository octo-org/app", tt.wantMsg} {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
			var ae *github.APIError
			if !errors.As(err, &ae) || !ae.RateLimited || ae.RequestID == "" {
				t.Errorf("error holds %+v, want a rate-limited APIError with a request id", ae)
			}
			if got := len(e.waits.list()); got != tt.wantWaits {
				t.Errorf("waits = %d, want %d", got, tt.wantWaits)
			}
		})
	}
}

// TestServerErrorsRetried: 5xx answers are retried (core.Retry) and the
// call succeeds; answers that keep failing give up with the status; 4xx
// answers are final at once.
func TestServerErrorsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		fault     ghtest.Fault
		n         int
		wantErr   string // "" for success
		wantCalls int
	}{
		{"500 twice", ghtest.ServerError(ghtest.EndpointPutSecret, 500), 2, "", 5},
		{"502 once", ghtest.ServerError(ghtest.EndpointPublicKey, 502), 1, "", 2},
		{"503 on the variable", ghtest.ServerError(ghtest.EndpointCreateVariable, 503), 3, "", 4},
		{"500 until giving up", ghtest.ServerError(ghtest.EndpointPutSecret, 500), -1, "gave up after 4 attempts: HTTP 500: Internal Server Error", 4},
		{"400 is final", ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 400, Message: "Bad Request"}, 1, "put secret TCR_REGISTRY in repository octo-org/app: HTTP 400: Bad Request", 1},
		{"403 is final", ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 403, Message: "Resource not accessible by personal access token"}, 1,
			"HTTP 403: Resource not accessible by personal access token (request id ", 1},
		{"403 names the permissions", ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 403, Message: "Resource not accessible by personal access token"}, 1,
			"the token lacks a permission for repository octo-org/app (needs repository permissions secrets: write and variables: write)", 1},
		{"501 is final", ghtest.ServerError(ghtest.EndpointPutSecret, 501), 1, "HTTP 501", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPAT)
			s := e.store(t, github.Config{Repository: testRepo})
			e.srv.Inject(tt.n, tt.fault)
			err := s.Put(ctx, "tcr", e.record("retry.example.com", "pw-retry-5xx-000001"))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(e.text(err))
			case tt.wantErr != "" && (err == nil || !strings.Contains(e.text(err), tt.wantErr)):
				t.Fatalf("Put error = %v, want one saying %q", err, tt.wantErr)
			}
			if got := e.srv.Calls(tt.fault.Endpoint); got != tt.wantCalls {
				t.Errorf("%s calls = %d, want %d", tt.fault.Endpoint, got, tt.wantCalls)
			}
			if len(e.waits.list()) != 0 {
				t.Error("a server error was waited for as a rate limit")
			}
		})
	}
}

// TestContextEnds: a call held by latency returns when the context ends,
// naming the call.
func TestContextEnds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPAT)
	s := e.repoStore(t)
	e.srv.SetLatency(ghtest.EndpointGetVariable, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.Get(ctx, "tcr")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get error = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if msg := e.text(err); !strings.Contains(msg, "get variable TCR_REGMINT_META") {
		t.Errorf("error %q does not name the call", msg)
	}
	if got := e.srv.Calls(ghtest.EndpointGetVariable); got != 1 {
		t.Errorf("calls = %d, want 1 (no retry after the context ended)", got)
	}
}

// TestPublicKeyRotation: a key rotated between runs is read anew by the
// next run's client; one rotated during a run makes GitHub refuse the
// value, and the store reads the key again once and writes it.
func TestPublicKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := ghtest.Repo(testRepo)

	t.Run("between runs", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withPAT)
		first := e.srv.PublicKeyID(sc)
		if err := e.repoStore(t).Put(ctx, "rot", e.record("rot.example.com", "pw-rotate-run-00001")); err != nil {
			t.Fatal(e.text(err))
		}
		e.srv.RotateKey(sc)
		second := e.srv.PublicKeyID(sc)
		c, err := github.NewClient(e.cfg) // the next run
		if err != nil {
			t.Fatal(err)
		}
		s, _ := github.New(c, github.Config{Repository: testRepo, DockerConfig: true})
		r := e.record("rot.example.com", "pw-rotate-run-00002")
		r.IssuedAt = r.IssuedAt.Add(time.Minute)
		if err := s.Put(ctx, "rot", r); err != nil {
			t.Fatal(e.text(err))
		}
		sec, _ := e.srv.Secret(sc, "ROT_PASSWORD")
		if first == second || sec.KeyID != second || sec.Value != r.Credential.Password {
			t.Errorf("secret sealed to key %s (first %s, current %s), value right: %v", sec.KeyID, first, second, sec.Value == r.Credential.Password)
		}
		if got := e.srv.Calls(ghtest.EndpointPublicKey); got != 2 {
			t.Errorf("public key reads = %d, want one per run", got)
		}
	})

	t.Run("during a run", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withPAT)
		s := e.repoStore(t)
		if err := s.Put(ctx, "rot", e.record("rot.example.com", "pw-rotate-mid-00001")); err != nil {
			t.Fatal(e.text(err))
		}
		e.srv.RotateKey(sc)
		r := e.record("rot.example.com", "pw-rotate-mid-00002")
		r.IssuedAt = r.IssuedAt.Add(time.Minute)
		if err := s.Put(ctx, "rot", r); err != nil {
			t.Fatal(e.text(err))
		}
		for _, n := range []string{"ROT_REGISTRY", "ROT_USERNAME", "ROT_PASSWORD", "ROT_DOCKER_CONFIG"} {
			if sec, _ := e.srv.Secret(sc, n); sec.KeyID != e.srv.PublicKeyID(sc) {
				t.Errorf("%s sealed to key %s, not the current one", n, sec.KeyID)
			}
		}
		if got, want := e.srv.Calls(ghtest.EndpointPublicKey), 2; got != want {
			t.Errorf("public key reads = %d, want %d", got, want)
		}
		if got, want := e.srv.Calls(ghtest.EndpointPutSecret), 4+1+4; got != want {
			t.Errorf("PUT secret calls = %d, want %d (one refused)", got, want)
		}
	})

	t.Run("refused with a fresh key", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, withPAT)
		s := e.repoStore(t)
		e.srv.Inject(-1, ghtest.Fault{Endpoint: ghtest.EndpointPutSecret, Status: 422, Message: "Bad request - validation failed due to an improperly encrypted secret"})
		err := s.Put(ctx, "rot", e.record("rot.example.com", "pw-rotate-bad-00001"))
		if err == nil || !strings.Contains(e.text(err), "HTTP 422") {
			t.Fatalf("Put error = %v, want the 422", err)
		}
		if got := e.srv.Calls(ghtest.EndpointPublicKey); got != 1 {
			t.Errorf("public key reads = %d, want 1 (the key was fresh: no second read)", got)
		}
	})
}

// TestConcurrentPuts: Puts of several records to one ref through one
// client take turns, so the metadata always describes the secrets.
func TestConcurrentPuts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withApp)
	s := e.repoStore(t)
	const n = 6
	errs := make(chan error, n)
	passwords := map[string]string{} // by token id
	for i := range n {
		r := e.record("conc.example.com", "pw-concurrent-"+strings.Repeat(string(rune('a'+i)), 6))
		r.Credential.TokenID = "tok-" + string(rune('a'+i))
		passwords[r.Credential.TokenID] = r.Credential.Password
		go func() { errs <- s.Put(ctx, "conc", r) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(e.text(err))
		}
	}
	st, err := s.Get(ctx, "conc")
	if err != nil {
		t.Fatal(e.text(err))
	}
	if sec, _ := e.srv.Secret(ghtest.Repo(testRepo), "CONC_PASSWORD"); sec.Value != passwords[st.TokenID] {
		t.Error("the metadata describes another Put than the password secret holds")
	}
	if got := e.srv.Calls(ghtest.EndpointAccessToken); got != 1 {
		t.Errorf("installation tokens minted = %d, want 1", got)
	}
}
