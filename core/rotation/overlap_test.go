package rotation_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
)

// TestOverlappingRuns runs two engines (two invocations) at once against one
// store, both seeing a long-term token due for rotation. Both mint; the one
// that writes second sees the other's write on its re-read, revokes what it
// minted and reports superseded. No live token is left untracked and no
// write is lost.
func TestOverlappingRuns(t *testing.T) {
	t.Parallel()
	for _, longTerm := range []bool{true, false} {
		name := "temp"
		if longTerm {
			name = "long-term"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			doc := `
targets:
  - name: lt
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-long0001
    credentials: {env: true}
`
			if longTerm {
				doc += "    token-type: longterm\n"
			}
			const ref = "lt"
			a, b := e.engine(t, doc), e.engine(t, doc)
			fp := a.Config().Targets[0].Target().Fingerprint()
			// What is stored: current tok-c, previous tok-p, both live; due
			// for rotation (or, temporary, about to expire).
			e.sm.Set(ref, core.Record{
				Credential:  core.Credential{Registry: "r.example.test", Username: "u", Password: "p", TokenID: "tok-c", ExpiresAt: t0.Add(5 * time.Minute)},
				IssuedAt:    t0.Add(-40 * 24 * time.Hour),
				Fingerprint: fp, PreviousTokenID: "tok-p",
			})
			e.cloud.live["tok-c"], e.cloud.live["tok-p"] = true, true

			// Order the overlap: the first Issue waits until both runs have
			// read the store; the second waits until the first has written.
			var (
				mu     sync.Mutex
				gets   int
				puts   int
				issues int
				cond   = sync.NewCond(&mu)
			)
			e.sm.afterGet = func(string) { mu.Lock(); gets++; cond.Broadcast(); mu.Unlock() }
			e.sm.afterPut = func(string) { mu.Lock(); puts++; cond.Broadcast(); mu.Unlock() }
			e.cloud.beforeIssue = func(context.Context, core.Target) error {
				mu.Lock()
				defer mu.Unlock()
				issues++
				if issues == 1 {
					for gets < 2 {
						cond.Wait()
					}
				} else {
					for puts < 1 {
						cond.Wait()
					}
				}
				return nil
			}
			var ra, rb *rotation.Report
			var wg sync.WaitGroup
			wg.Go(func() { ra = a.Run(context.Background()) })
			wg.Go(func() { rb = b.Run(context.Background()) })
			wg.Wait()

			outcomes := map[rotation.Outcome]int{}
			var winner rotation.Result
			for _, rep := range []*rotation.Report{ra, rb} {
				res := result(t, rep, "lt")
				outcomes[res.Outcome]++
				if res.Outcome == rotation.Minted {
					winner = res
				}
				if rep.Err() != nil {
					t.Errorf("Err() = %v", rep.Err())
				}
			}
			if outcomes[rotation.Minted] != 1 || outcomes[rotation.Superseded] != 1 {
				t.Fatalf("outcomes %v, want one minted and one superseded", outcomes)
			}
			if got := e.sm.Puts(ref); got != 1 {
				t.Errorf("%d writes, want 1", got)
			}
			// No lost write: the store holds the winner's credential, whole.
			rec, _ := e.sm.Record(ref)
			if rec.Credential.TokenID != winner.TokenID || rec.Credential.Password == "" || !rec.Credential.ExpiresAt.Equal(winner.ExpiresAt) {
				t.Errorf("stored %v, winner reported %s", rec.Credential, winner.TokenID)
			}
			if !longTerm {
				return
			}
			if rec.PreviousTokenID != "tok-c" {
				t.Errorf("PreviousTokenID %q, want tok-c", rec.PreviousTokenID)
			}
			// No orphan: the live tokens are exactly the stored current and
			// previous ones.
			live := e.cloud.Live()
			if len(live) != 2 || !live[rec.Credential.TokenID] || !live[rec.PreviousTokenID] {
				t.Errorf("live tokens %v, want exactly %s and %s", live, rec.Credential.TokenID, rec.PreviousTokenID)
			}
		})
	}
}
