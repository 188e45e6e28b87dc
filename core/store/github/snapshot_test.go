package github_test

import (
	"context"
	"testing"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// tokenSecret hands the Opener the env's token as Secrets Manager would.
type tokenSecret string

func (s tokenSecret) ReadSecret(context.Context, string) (string, error) { return string(s), nil }

// TestListingOutlivesFirstReader: the scope's listing serves every ref of
// the run; the first read's context ending (its target's timeout) neither
// stops it for the others nor turns the listing off.
func TestListingOutlivesFirstReader(t *testing.T) {
	e := newEnv(t, withPAT)
	ctx := context.Background()
	var dests []config.Destination
	for _, ref := range []string{"A", "B", "C"} {
		d := config.Destination{Store: github.KindName, Ref: ref, Repository: testRepo}
		dests = append(dests, d)
		st, err := github.New(e.client, github.DestinationConfig(d))
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Put(ctx, ref, e.record(ref+".example.com", "pw-"+leaktest.Random(t))); err != nil {
			t.Fatal(e.text(err))
		}
	}
	cfg := e.cfg
	cfg.Token = ""
	o := &github.Opener{Auth: &config.GitHubConfig{TokenSecret: "gh/token"}, Secrets: tokenSecret(e.pat), Base: cfg, Destinations: dests}
	run := o.Run()
	stA, err := run.Store(ctx, dests[0])
	if err != nil {
		t.Fatal(e.text(err))
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := stA.Get(gone, "A"); err == nil {
		t.Fatal("a read with its context done succeeded")
	}
	before := e.srv.Calls(ghtest.EndpointGetVariable) + e.srv.Calls(ghtest.EndpointGetSecret)
	for _, d := range dests[1:] {
		st, err := run.Store(ctx, d)
		if err != nil {
			t.Fatal(e.text(err))
		}
		if _, err := st.Get(ctx, d.Ref); err != nil {
			t.Fatalf("%s: %v", d.Ref, e.text(err))
		}
	}
	if n := e.srv.Calls(ghtest.EndpointGetVariable) + e.srv.Calls(ghtest.EndpointGetSecret) - before; n != 0 {
		t.Errorf("%d single reads after the first reader gave up; want B and C served by the listing", n)
	}
	if e.srv.Calls(ghtest.EndpointListVariables) != 1 {
		t.Errorf("%d variable listings, want 1", e.srv.Calls(ghtest.EndpointListVariables))
	}
}
