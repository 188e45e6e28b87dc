package ghtest_test

import (
	"context"
	"fmt"
	"testing"

	gh "github.com/google/go-github/v84/github"

	"github.com/regmint/regmint/core/store/github/ghtest"
)

// TestListPages: the list endpoints page as GitHub documents (variables at
// most 30 a page, secrets at most 100), with total_count and a Link header
// go-github follows, at repository, environment and organization level;
// secrets are listed without values.
func TestListPages(t *testing.T) {
	s := newServer(t)
	c := client(t, s, s.AddToken())
	ctx := context.Background()
	for _, sc := range []ghtest.Scope{ghtest.Repo(repo), ghtest.Env(repo, env), ghtest.Org(org)} {
		for i := range 45 {
			s.SetVariable(sc, fmt.Sprintf("V_%02d", i), fmt.Sprint(i))
			s.SetSecret(sc, fmt.Sprintf("S_%03d", i), "value")
		}
	}
	type page struct {
		total, n, next int
	}
	listVars := func(sc ghtest.Scope, o *gh.ListOptions) (page, error) {
		var v *gh.ActionsVariables
		var r *gh.Response
		var err error
		switch {
		case sc.Organization != "":
			v, r, err = c.Actions.ListOrgVariables(ctx, org, o)
		case sc.Environment != "":
			v, r, err = c.Actions.ListEnvVariables(ctx, "octo-org", "app", env, o)
		default:
			v, r, err = c.Actions.ListRepoVariables(ctx, "octo-org", "app", o)
		}
		if err != nil {
			return page{}, err
		}
		for _, x := range v.Variables {
			if x.Value == "" {
				t.Errorf("%s: variable %s listed without its value", sc, x.Name)
			}
		}
		return page{v.TotalCount, len(v.Variables), r.NextPage}, nil
	}
	for _, sc := range []ghtest.Scope{ghtest.Repo(repo), ghtest.Env(repo, env), ghtest.Org(org)} {
		for _, tt := range []struct {
			opts *gh.ListOptions
			want page
		}{
			{&gh.ListOptions{}, page{45, 10, 2}},                     // default 10
			{&gh.ListOptions{PerPage: 100}, page{45, 30, 2}},         // clamped to 30
			{&gh.ListOptions{PerPage: 30, Page: 2}, page{45, 15, 0}}, // last page
			{&gh.ListOptions{PerPage: 30, Page: 9}, page{45, 0, 0}},  // past the end
		} {
			got, err := listVars(sc, tt.opts)
			if err != nil || got != tt.want {
				t.Errorf("%s: list variables %+v: %+v, %v; want %+v", sc, *tt.opts, got, err, tt.want)
			}
		}
	}
	secs, r, err := c.Actions.ListRepoSecrets(ctx, "octo-org", "app", &gh.ListOptions{PerPage: 200})
	if err != nil || secs.TotalCount != 45 || len(secs.Secrets) != 45 || r.NextPage != 0 {
		t.Fatalf("list secrets: %v %+v", err, secs)
	}
	if s.Calls(ghtest.EndpointListSecrets) != 1 || s.Calls(ghtest.EndpointListVariables) != 12 {
		t.Errorf("calls: %d secrets, %d variables", s.Calls(ghtest.EndpointListSecrets), s.Calls(ghtest.EndpointListVariables))
	}
	req, _ := c.NewRequest("GET", "repos/octo-org/app/actions/variables?per_page=ten", nil)
	if _, err := c.Do(ctx, req, nil); err == nil {
		t.Error("per_page=ten accepted; GitHub answers 422")
	}
}
