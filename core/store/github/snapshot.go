package github

import (
	"context"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v84/github"
)

// GitHub has no batch read of secrets or variables: its list endpoints are
// the batch. A run that reads many refs in one scope lists the scope's
// variables (30 a page) and secrets (100 a page) once instead of reading
// each ref's variable and secrets one by one (four or five requests a
// ref), which matters against the primary rate limit (5000 requests an
// hour for an App installation, 1000 for GITHUB_TOKEN): 1000 idle targets
// in one organization on a 10-minute schedule would otherwise need 24,000 to 30,000.
const (
	listVariablesPerPage = 30
	listSecretsPerPage   = 100
	// listMaxPages bounds a listing whatever total_count the answer claims
	// (GitHub allows 1000 organization variables and secrets: 34 and 10
	// pages).
	listMaxPages = 50
	// requestsPerRef is what reading a ref alone costs: its metadata
	// variable and its three secrets (registry, username, password).
	requestsPerRef = 4
	// listTimeout bounds a listing (rate-limit waits included).
	listTimeout = 2 * time.Minute
)

// snapshot is one run's listing of one scope, shared by the run's stores
// of that scope. Each variable it holds serves the first Get of its name
// only: the read right before a write, and any later read, go to GitHub,
// so that a change made meanwhile by another run is seen. What the listing
// does not hold (a variable or secret missing, perhaps added between two
// pages) is read alone.
type snapshot struct {
	// planned is how many refs of the scope the run may read.
	planned int

	once sync.Once
	// loaded is closed when the listing ended; ok, vars and secrets are
	// set before.
	loaded  chan struct{}
	ok      bool
	vars    map[string]*gh.ActionsVariable // by upper-case name
	secrets map[string]*gh.Secret          // by upper-case name

	mu     sync.Mutex
	served map[string]bool
}

// newSnapshot returns the snapshot of a scope the run reads planned refs
// of; nil when a listing cannot pay for itself (a single ref).
func newSnapshot(planned int) *snapshot {
	if planned < 2 {
		return nil
	}
	return &snapshot{planned: planned, loaded: make(chan struct{}), served: map[string]bool{}}
}

// first returns the listed metadata variable name (nil: not listed, read
// it alone) and the listed secrets, the first time name is asked for.
// ok is false when there is no listing or name was served before: then
// everything is read alone.
func (sn *snapshot) first(ctx context.Context, s *Store, name string) (v *gh.ActionsVariable, secrets map[string]*gh.Secret, ok bool) {
	if sn == nil {
		return nil, nil, false
	}
	sn.once.Do(func() {
		// The listing serves every ref of the scope: it runs on its own,
		// not under the first caller's context, bounded by listTimeout.
		go func() {
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), listTimeout)
			defer cancel()
			sn.ok = sn.load(lctx, s)
			close(sn.loaded)
		}()
	})
	select {
	case <-sn.loaded:
	case <-ctx.Done():
		return nil, nil, false // this read's time is up: read alone (and fail there)
	}
	if !sn.ok {
		return nil, nil, false
	}
	key := strings.ToUpper(name)
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.served[key] {
		return nil, nil, false
	}
	sn.served[key] = true
	return sn.vars[key], sn.secrets, true
}

// load lists the scope, giving up (false: every ref is read alone) as soon
// as the pages would cost more requests than the planned refs' own reads,
// or a call fails.
func (sn *snapshot) load(ctx context.Context, s *Store) bool {
	budget := sn.planned * requestsPerRef
	vars := map[string]*gh.ActionsVariable{}
	used, pages := 0, 0
	for page := 1; page != 0; {
		var out *gh.ActionsVariables
		var resp *gh.Response
		err := s.c.call(ctx, "list variables in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
			var err error
			out, resp, err = s.sc.listVariables(ctx, s.c.gh, &gh.ListOptions{PerPage: listVariablesPerPage, Page: page})
			return resp, err
		})
		used++
		if err != nil || out == nil {
			return false
		}
		if page == 1 {
			pages = pagesOf(out.TotalCount, listVariablesPerPage)
			// At least one page of secrets follows.
			if pages > listMaxPages || pages+1 > budget {
				return false
			}
		}
		for _, v := range out.Variables {
			if v != nil && v.Name != "" {
				vars[strings.ToUpper(v.Name)] = v
			}
		}
		page = nextPage(resp, page, pages)
	}
	secrets := map[string]*gh.Secret{}
	for page := 1; page != 0; {
		var out *gh.Secrets
		var resp *gh.Response
		err := s.c.call(ctx, "list secrets in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
			var err error
			out, resp, err = s.sc.listSecrets(ctx, s.c.gh, &gh.ListOptions{PerPage: listSecretsPerPage, Page: page})
			return resp, err
		})
		used++
		if err != nil || out == nil {
			return false
		}
		if page == 1 {
			pages = pagesOf(out.TotalCount, listSecretsPerPage)
			if pages > listMaxPages || used+pages-1 > budget {
				return false
			}
		}
		for _, sec := range out.Secrets {
			if sec != nil && sec.Name != "" {
				secrets[strings.ToUpper(sec.Name)] = sec
			}
		}
		page = nextPage(resp, page, pages)
	}
	sn.vars, sn.secrets = vars, secrets
	return true
}

// pagesOf is the number of pages total items fill (at least one).
func pagesOf(total, per int) int {
	if total <= 0 {
		return 1
	}
	return (total + per - 1) / per
}

// nextPage is the page after page, or 0 when the answer names none or the
// pages total_count announced are read (an answer's Link header is not
// trusted to go on for ever).
func nextPage(resp *gh.Response, page, pages int) int {
	if resp == nil || resp.NextPage <= page || page >= pages {
		return 0
	}
	return resp.NextPage
}
