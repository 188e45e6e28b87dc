package rotation_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/github/ghtest"
)

// ghFleetDoc is n targets, each writing repository secrets T<i>_* of
// octo/app.
func ghFleetDoc(n int) string {
	var b strings.Builder
	b.WriteString("credential-sources:\n  main: {secret: src/tencent}\ntargets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {name: t%d, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst%04d, credentials: {source: main},\n", i, i)
		fmt.Fprintf(&b, "     destinations: [{store: github, ref: T%d, repository: octo/app}]}\n", i)
	}
	return b.String()
}

var ghEndpoints = []string{
	ghtest.EndpointListVariables, ghtest.EndpointListSecrets, ghtest.EndpointGetVariable,
	ghtest.EndpointGetSecret, ghtest.EndpointPublicKey, ghtest.EndpointPutSecret,
	ghtest.EndpointCreateVariable, ghtest.EndpointUpdateVariable,
}

func ghCalls(emu *ghtest.Server) map[string]int {
	m := map[string]int{}
	for _, ep := range ghEndpoints {
		m[ep] = emu.Calls(ep)
	}
	return m
}

func ghDiff(after, before map[string]int) map[string]int {
	d := maps.Clone(after)
	for k, v := range before {
		d[k] -= v
		if d[k] == 0 {
			delete(d, k)
		}
	}
	return d
}

func outcomes(rep *rotation.Report) map[rotation.Outcome]int {
	m := map[rotation.Outcome]int{}
	for _, r := range rep.Results {
		m[r.Outcome]++
	}
	return m
}

// TestGitHubIdlePassListsTheScope: GitHub has no batch read, its list
// endpoints are the batch. An idle pass over 12 targets in one repository
// costs one page of variables and one of secrets, not the 48 reads of
// each target's variable and three secrets; a secret changed behind
// regmint's back is still noticed from the listing, and the read right
// before that target's write goes to GitHub itself.
func TestGitHubIdlePassListsTheScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newGHEnv(t, true)
	e.emu.AddRepo("octo/app")
	eng := e.engine(t, ghFleetDoc(12))
	if got := outcomes(eng.Run(ctx)); got[rotation.Minted] != 12 {
		t.Fatalf("first run: %v, want 12 minted", got)
	}

	before := ghCalls(e.emu)
	rep := eng.Run(ctx)
	if got := outcomes(rep); got[rotation.Fresh] != 12 {
		t.Fatalf("idle run: %v, want 12 fresh", got)
	}
	want := map[string]int{ghtest.EndpointListVariables: 1, ghtest.EndpointListSecrets: 1}
	if got := ghDiff(ghCalls(e.emu), before); !maps.Equal(got, want) {
		t.Errorf("idle run over 12 targets in one repository: calls %v, want %v", got, want)
	}

	// Someone edits T3_PASSWORD in the settings: the listing shows it
	// changed after regmint's metadata, so t3 is written anew.
	e.emu.Advance(2 * time.Second) // GitHub's times are whole seconds
	e.emu.SetSecret(ghtest.Repo("octo/app"), "T3_PASSWORD", "edited-by-hand")
	before = ghCalls(e.emu)
	rep = eng.Run(ctx)
	if got := outcomes(rep); got[rotation.Minted] != 1 || got[rotation.Fresh] != 11 || result(t, rep, "t3").Outcome != rotation.Minted {
		t.Fatalf("after a hand edit of T3_PASSWORD: %v (t3 %s), want t3 minted, 11 fresh", got, result(t, rep, "t3").Outcome)
	}
	got := ghDiff(ghCalls(e.emu), before)
	if got[ghtest.EndpointListVariables] != 1 || got[ghtest.EndpointGetVariable] < 1 {
		t.Errorf("calls %v: want one listing, and t3's variable read again before its write", got)
	}
	if sec, _ := e.emu.Secret(ghtest.Repo("octo/app"), "T3_PASSWORD"); sec.Value == "edited-by-hand" {
		t.Error("T3_PASSWORD was not written anew")
	}
}

// TestGitHubListingGivenUpWhenDearer: two targets in a repository holding
// 300 other variables: listing would take 11 pages for what 8 reads give, so
// after the first page tells the count, each target is read alone.
func TestGitHubListingGivenUpWhenDearer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newGHEnv(t, true)
	e.emu.AddRepo("octo/app")
	for i := range 300 {
		e.emu.SetVariable(ghtest.Repo("octo/app"), fmt.Sprintf("OTHER_%03d", i), "x")
	}
	eng := e.engine(t, ghFleetDoc(2))
	if got := outcomes(eng.Run(ctx)); got[rotation.Minted] != 2 {
		t.Fatalf("first run: %v", got)
	}
	before := ghCalls(e.emu)
	if got := outcomes(eng.Run(ctx)); got[rotation.Fresh] != 2 {
		t.Fatalf("idle run: %v, want 2 fresh", got)
	}
	got := ghDiff(ghCalls(e.emu), before)
	want := map[string]int{ghtest.EndpointListVariables: 1, ghtest.EndpointGetVariable: 2, ghtest.EndpointGetSecret: 6}
	if !maps.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

// TestGitHubIdlePassesWithinPrimaryLimit: with a primary rate limit of 20
// requests an hour enforced (GitHub's is 5000 for an App installation; the
// ratio is what counts), six idle passes over 15 targets in one repository,
// an hour of the default schedule, fit: read target by target, each pass
// alone would cost 60 requests.
func TestGitHubIdlePassesWithinPrimaryLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newGHEnv(t, true)
	e.emu.AddRepo("octo/app")
	eng := e.engine(t, ghFleetDoc(15))
	if got := outcomes(eng.Run(ctx)); got[rotation.Minted] != 15 {
		t.Fatalf("first run: %v", got)
	}
	e.emu.Advance(time.Hour) // a new hour of requests
	e.emu.EnforcePrimaryLimit(20)
	for pass := range 6 {
		if got := outcomes(eng.Run(ctx)); got[rotation.Fresh] != 15 {
			t.Fatalf("idle pass %d: %v, want 15 fresh", pass, got)
		}
	}
	if n := e.emu.PrimaryLimited(); n != 0 {
		t.Errorf("%d requests refused by the primary limit", n)
	}
}
