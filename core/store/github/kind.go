package github

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// KindName is the store kind name destinations write for GitHub Actions
// secrets.
const KindName = "github"

const (
	acceptedScope      = "exactly one of repository: owner/name (with an optional environment) or organization: <login> (with visibility)"
	acceptedRef        = "letters, digits and _ . / -, not starting with a digit (it is upper-cased into the secrets' name prefix, e.g. TCR)"
	acceptedVisibility = "all, private, selected"
)

// GitHub's documented secondary limits on content-creating requests, and
// the default the rotation keeps to (a minute's worth less one, so that a
// burst of one never makes 81).
const (
	WritesPerMinute = 79
	WritesPerHour   = 500
)

// Kind returns the GitHub Actions secrets store kind: a destination names
// a repository (with an optional environment) or an organization (with a
// visibility), and its ref is the prefix of the secrets' names ("TCR"
// writes TCR_REGISTRY, TCR_USERNAME, TCR_PASSWORD). It needs the config's
// github block, whose credential secret it reads.
func Kind() config.StoreKind {
	return config.StoreKind{
		Name:  KindName,
		Keys:  []string{"repository", "environment", "organization", "visibility", "selected-repository-ids", "docker-config"},
		Check: checkDestination,
		// GitHub's secondary rate limits: at most 80 content-creating
		// requests per minute and 500 per hour (REST API docs, "Rate limits
		// for the REST API"). 79/min with a burst of one never makes 81 in
		// a minute.
		Limits: config.StoreLimits{Writes: WritesPerMinute / 60, WritesPerHour: WritesPerHour},
		Key: func(d config.Destination) string {
			// GitHub names (of secrets, repositories and organizations)
			// are case-insensitive.
			ref := d.Ref
			if p, err := Prefix(d.Ref); err == nil {
				ref = p
			}
			return strings.ToLower(scopeOf(d)) + "\x00" + ref
		},
		Scope: scopeOf,
		Reads: func(c *config.Config) []string {
			if c.GitHub == nil {
				return nil
			}
			return []string{c.GitHub.SecretID()}
		},
	}
}

// Destinations returns the config's github destinations, for
// Opener.Destinations.
func Destinations(c *config.Config) []config.Destination {
	var out []config.Destination
	for _, t := range c.Targets {
		for _, d := range t.Destinations {
			if d.Store == KindName {
				out = append(out, d)
			}
		}
	}
	return out
}

// DestinationConfig returns the store configuration of a github
// destination.
func DestinationConfig(d config.Destination) Config {
	return Config{
		Repository:            d.Repository,
		Environment:           d.Environment,
		Organization:          d.Organization,
		Visibility:            Visibility(d.Visibility),
		SelectedRepositoryIDs: d.SelectedRepositoryIDs,
		DockerConfig:          d.DockerConfig,
	}
}

// scopeOf names where a github destination writes ("repository octo/app",
// "environment prod of octo/app", "organization octo").
func scopeOf(d config.Destination) string {
	switch {
	case d.Organization != "":
		return "organization " + d.Organization
	case d.Environment != "":
		return "environment " + d.Environment + " of " + d.Repository
	}
	return "repository " + d.Repository
}

// checkDestination checks a github destination, its store resolved.
func checkDestination(c *config.Config, d config.Destination) []*core.FieldError {
	var errs []*core.FieldError
	add := func(field, problem, accepted string) {
		errs = append(errs, &core.FieldError{Field: field, Problem: problem, Accepted: accepted})
	}
	if c.GitHub == nil {
		add("store", "github destinations need the top-level github block", config.AcceptedGitHubAuth)
	}
	switch {
	case d.Repository != "" && d.Organization != "":
		add("", "sets both repository and organization", acceptedScope)
	case d.Repository == "" && d.Organization == "":
		add("", "sets neither repository nor organization", acceptedScope)
	case d.Organization != "":
		if !validLogin.MatchString(d.Organization) {
			add("organization", fmt.Sprintf("%q is not an organization login", d.Organization), "letters, digits and - _ .")
		}
		if d.Environment != "" {
			add("environment", "is only used with repository", "repository: owner/name with environment, or organization without")
		}
		switch Visibility(d.Visibility) {
		case "":
			add("visibility", "is required with organization", acceptedVisibility)
		case VisibilityAll, VisibilityPrivate, VisibilitySelected:
		default:
			add("visibility", fmt.Sprintf("%q is not a visibility", d.Visibility), acceptedVisibility)
		}
		selected := Visibility(d.Visibility) == VisibilitySelected
		switch {
		case selected && len(d.SelectedRepositoryIDs) == 0:
			add("selected-repository-ids", "is required with visibility selected", "a list of repository ids (numbers)")
		case !selected && len(d.SelectedRepositoryIDs) > 0 && d.Visibility != "":
			add("selected-repository-ids", "is only used with visibility selected", "visibility: selected with the ids, or no ids")
		}
		for k, id := range d.SelectedRepositoryIDs {
			if id <= 0 {
				add("selected-repository-ids["+strconv.Itoa(k)+"]", fmt.Sprintf("%d is not a repository id", id), "a positive number")
			}
		}
	default:
		owner, name, ok := strings.Cut(d.Repository, "/")
		if !ok || !validLogin.MatchString(owner) || !validLogin.MatchString(name) {
			add("repository", fmt.Sprintf("%q is not owner/name", d.Repository), "owner/name, e.g. octo-org/app")
		}
		if env := d.Environment; env != "" && (strings.TrimSpace(env) != env || strings.ContainsAny(env, "/?#%")) {
			add("environment", fmt.Sprintf("%q is not an environment name", env),
				"the name of a deployment environment of the repository, without surrounding spaces and none of / ? # %")
		}
		if d.Visibility != "" {
			add("visibility", "is only used with organization", "no visibility for repository secrets")
		}
		if len(d.SelectedRepositoryIDs) > 0 {
			add("selected-repository-ids", "is only used with organization and visibility selected", "no ids for repository secrets")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// Whatever the checks above let through, the store's own checks decide.
	if _, err := DestinationConfig(d).validate(); err != nil {
		return []*core.FieldError{{Problem: "github store: " + err.Error(), Accepted: acceptedScope}}
	}
	if _, err := Prefix(d.Ref); err != nil {
		return []*core.FieldError{{Field: "ref", Problem: fmt.Sprintf("%q is not a valid GitHub secret name prefix", d.Ref), Accepted: acceptedRef}}
	}
	return nil
}
