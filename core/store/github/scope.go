package github

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v84/github"
)

// scope is where secrets are written: a repository, an environment of a
// repository, or an organization (with the visibility of what is written
// there). Its methods make one API call each through go-github.
type scope struct {
	level      Level
	owner      string
	repo       string
	env        string
	org        string
	visibility Visibility
	selected   []int64
}

// String names the scope for errors and logs.
func (s scope) String() string {
	switch s.level {
	case LevelOrganization:
		return "organization " + s.org
	case LevelEnvironment:
		return "environment " + s.env + " of " + s.owner + "/" + s.repo
	default:
		return "repository " + s.owner + "/" + s.repo
	}
}

// key identifies the scope (and so its public key); GitHub names are
// case-insensitive.
func (s scope) key() string {
	return strings.ToLower(string(s.level) + ":" + s.owner + "/" + s.repo + ":" + s.env + ":" + s.org)
}

// envPath is the REST path of the scope's environment under
// /repos/{owner}/{repo}/environments/{environment_name}. go-github's own
// environment secret methods use the older /repositories/{id} paths, which
// need the repository id first; these paths are the current ones.
func (s scope) envPath() string {
	return "repos/" + url.PathEscape(s.owner) + "/" + url.PathEscape(s.repo) + "/environments/" + url.PathEscape(s.env)
}

// do sends a request go-github has no method for, with go-github's request
// building, error decoding and rate-limit parsing.
func do(ctx context.Context, c *gh.Client, method, path string, body, out any) (*gh.Response, error) {
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, out)
}

// publicKey reads the scope's libsodium public key.
func (s scope) publicKey(ctx context.Context, c *gh.Client) (*gh.PublicKey, *gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.GetOrgPublicKey(ctx, s.org)
	case LevelEnvironment:
		k := new(gh.PublicKey)
		resp, err := do(ctx, c, "GET", s.envPath()+"/secrets/public-key", nil, k)
		return k, resp, err
	default:
		return c.Actions.GetRepoPublicKey(ctx, s.owner, s.repo)
	}
}

// putSecret creates or replaces a secret; an organization secret gets the
// scope's visibility.
func (s scope) putSecret(ctx context.Context, c *gh.Client, es *gh.EncryptedSecret) (*gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		es.Visibility = string(s.visibility)
		if s.visibility == VisibilitySelected {
			es.SelectedRepositoryIDs = gh.SelectedRepoIDs(s.selected)
		}
		return c.Actions.CreateOrUpdateOrgSecret(ctx, s.org, es)
	case LevelEnvironment:
		return do(ctx, c, "PUT", s.envPath()+"/secrets/"+url.PathEscape(es.Name), es, nil)
	default:
		return c.Actions.CreateOrUpdateRepoSecret(ctx, s.owner, s.repo, es)
	}
}

// getSecret reads a secret's name and times (never its value: GitHub does
// not return it).
func (s scope) getSecret(ctx context.Context, c *gh.Client, name string) (*gh.Secret, *gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.GetOrgSecret(ctx, s.org, name)
	case LevelEnvironment:
		sec := new(gh.Secret)
		resp, err := do(ctx, c, "GET", s.envPath()+"/secrets/"+url.PathEscape(name), nil, sec)
		return sec, resp, err
	default:
		return c.Actions.GetRepoSecret(ctx, s.owner, s.repo, name)
	}
}

// getVariable reads an Actions variable.
func (s scope) getVariable(ctx context.Context, c *gh.Client, name string) (*gh.ActionsVariable, *gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.GetOrgVariable(ctx, s.org, name)
	case LevelEnvironment:
		return c.Actions.GetEnvVariable(ctx, s.owner, s.repo, url.PathEscape(s.env), name)
	default:
		return c.Actions.GetRepoVariable(ctx, s.owner, s.repo, name)
	}
}

// variable returns an Actions variable to create or update, with the
// scope's visibility at organization level.
func (s scope) variable(name, value string) *gh.ActionsVariable {
	v := &gh.ActionsVariable{Name: name, Value: value}
	if s.level == LevelOrganization {
		vis := string(s.visibility)
		v.Visibility = &vis
		if s.visibility == VisibilitySelected {
			ids := gh.SelectedRepoIDs(s.selected)
			v.SelectedRepositoryIDs = &ids
		}
	}
	return v
}

// createVariable creates an Actions variable (409 if it exists).
func (s scope) createVariable(ctx context.Context, c *gh.Client, v *gh.ActionsVariable) (*gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.CreateOrgVariable(ctx, s.org, v)
	case LevelEnvironment:
		return c.Actions.CreateEnvVariable(ctx, s.owner, s.repo, url.PathEscape(s.env), v)
	default:
		return c.Actions.CreateRepoVariable(ctx, s.owner, s.repo, v)
	}
}

// updateVariable replaces an Actions variable's value (404 if missing).
func (s scope) updateVariable(ctx context.Context, c *gh.Client, v *gh.ActionsVariable) (*gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.UpdateOrgVariable(ctx, s.org, v)
	case LevelEnvironment:
		return c.Actions.UpdateEnvVariable(ctx, s.owner, s.repo, url.PathEscape(s.env), v)
	default:
		return c.Actions.UpdateRepoVariable(ctx, s.owner, s.repo, v)
	}
}

// listVariables reads one page of the scope's Actions variables.
func (s scope) listVariables(ctx context.Context, c *gh.Client, opts *gh.ListOptions) (*gh.ActionsVariables, *gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.ListOrgVariables(ctx, s.org, opts)
	case LevelEnvironment:
		return c.Actions.ListEnvVariables(ctx, s.owner, s.repo, url.PathEscape(s.env), opts)
	default:
		return c.Actions.ListRepoVariables(ctx, s.owner, s.repo, opts)
	}
}

// listSecrets reads one page of the scope's secrets (names and times).
func (s scope) listSecrets(ctx context.Context, c *gh.Client, opts *gh.ListOptions) (*gh.Secrets, *gh.Response, error) {
	switch s.level {
	case LevelOrganization:
		return c.Actions.ListOrgSecrets(ctx, s.org, opts)
	case LevelEnvironment:
		out := new(gh.Secrets)
		path := s.envPath() + "/secrets?per_page=" + strconv.Itoa(opts.PerPage) + "&page=" + strconv.Itoa(opts.Page)
		resp, err := do(ctx, c, "GET", path, nil, out)
		return out, resp, err
	default:
		return c.Actions.ListRepoSecrets(ctx, s.owner, s.repo, opts)
	}
}
