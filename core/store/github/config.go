package github

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Visibility says which repositories of an organization can read an
// organization secret (and the metadata variable beside it).
type Visibility string

// The visibilities GitHub accepts for organization secrets and variables.
const (
	// VisibilityAll: every repository of the organization.
	VisibilityAll Visibility = "all"
	// VisibilityPrivate: the organization's private and internal
	// repositories.
	VisibilityPrivate Visibility = "private"
	// VisibilitySelected: only the repositories in
	// Config.SelectedRepositoryIDs.
	VisibilitySelected Visibility = "selected"
)

// Level is where a Store writes: a repository, one of its environments, or
// an organization.
type Level string

// The levels of GitHub Actions secrets.
const (
	LevelRepository   Level = "repository"
	LevelEnvironment  Level = "environment"
	LevelOrganization Level = "organization"
)

// Config says where a Store writes and under which names. Give Repository
// (with or without Environment) or Organization, not both.
type Config struct {
	// Repository is "owner/name": repository secrets, or environment
	// secrets if Environment is set.
	Repository string
	// Environment is a deployment environment of Repository (it must
	// exist); its secrets are readable only by jobs that name it.
	Environment string
	// Organization is an organization login: organization secrets.
	Organization string
	// Visibility is required for organization secrets and must be empty
	// otherwise. There is no default: which repositories can read a
	// credential is the caller's decision.
	Visibility Visibility
	// SelectedRepositoryIDs are the repositories that can read
	// organization secrets of VisibilitySelected (at least one; only with
	// that visibility).
	SelectedRepositoryIDs []int64
	// Names overrides the names derived from a ref; see Names. A store
	// with explicit names should serve one ref: two refs would write the
	// same secrets.
	Names Names
	// DockerConfig also writes a docker config.json holding the login
	// (secret <PREFIX>_DOCKER_CONFIG), for jobs that write it to a file
	// instead of running docker login.
	DockerConfig bool
}

// Names are the secrets and the variable one ref is written to. Empty
// fields are derived from the ref's prefix (see Store.Names): the ref
// upper-cased with '-', '.' and '/' turned into '_', then "_REGISTRY",
// "_USERNAME", "_PASSWORD", "_DOCKER_CONFIG" and "_REGMINT_META".
type Names struct {
	// Registry is the secret holding the registry host.
	Registry string
	// Username is the secret holding the docker login user name.
	Username string
	// Password is the secret holding the password or token.
	Password string
	// DockerConfig is the secret holding a docker config.json (written
	// only when Config.DockerConfig is set).
	DockerConfig string
	// Metadata is the Actions variable holding what Store.Get returns.
	Metadata string
}

// Name suffixes of the derived names.
const (
	SuffixRegistry     = "_REGISTRY"
	SuffixUsername     = "_USERNAME"
	SuffixPassword     = "_PASSWORD"
	SuffixDockerConfig = "_DOCKER_CONFIG"
	SuffixMetadata     = "_REGMINT_META"
)

// maxNameLen bounds secret, variable and prefix names. GitHub documents no
// limit; this keeps names readable and well below what the API accepts.
const maxNameLen = 200

// validName is GitHub's rule for secret and variable names: letters,
// digits and underscores, not starting with a digit. Names are
// case-insensitive; GitHub shows them upper-cased.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validRef is what a ref may hold before it is turned into a prefix.
var validRef = regexp.MustCompile(`^[A-Za-z0-9_./-]+$`)

// validLogin is an owner, repository or organization name as GitHub allows
// them (letters, digits, '-', '_', '.').
var validLogin = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// checkName reports why name cannot name a secret or variable.
func checkName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%s name is empty", what)
	case len(name) > maxNameLen:
		return fmt.Errorf("%s name %.32s... is longer than %d characters", what, name, maxNameLen)
	case !validName.MatchString(name):
		return fmt.Errorf("%s name %q: only letters, digits and '_' are allowed, and it must not start with a digit", what, name)
	case strings.HasPrefix(strings.ToUpper(name), "GITHUB_"):
		return fmt.Errorf("%s name %q: names starting with GITHUB_ are reserved by GitHub", what, name)
	}
	return nil
}

// Prefix returns the name prefix a ref stands for: upper-cased, with '-',
// '.' and '/' turned into '_' ("prod-tcr" -> "PROD_TCR"). Distinct refs
// can map to one prefix ("a-b" and "a_b"); give them distinct names.
func Prefix(ref string) (string, error) {
	if ref == "" {
		return "", errors.New("github ref is empty (it names the secrets, e.g. TCR for TCR_PASSWORD)")
	}
	if !validRef.MatchString(ref) {
		return "", fmt.Errorf("github ref %q: only letters, digits and _ . / - are allowed", ref)
	}
	p := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_", "/", "_").Replace(ref))
	if err := checkName("github ref prefix", p+SuffixDockerConfig); err != nil {
		return "", fmt.Errorf("github ref %q: %w", ref, err)
	}
	return p, nil
}

// derive fills the empty names from ref's prefix and checks them all.
func (n Names) derive(ref string, dockerConfig bool) (Names, error) {
	p, err := Prefix(ref)
	if err != nil {
		return Names{}, err
	}
	for _, f := range []struct {
		field  *string
		suffix string
	}{
		{&n.Registry, SuffixRegistry}, {&n.Username, SuffixUsername}, {&n.Password, SuffixPassword},
		{&n.DockerConfig, SuffixDockerConfig}, {&n.Metadata, SuffixMetadata},
	} {
		if *f.field == "" {
			*f.field = p + f.suffix
		}
	}
	if !dockerConfig {
		n.DockerConfig = ""
	}
	if err := n.check(); err != nil {
		return Names{}, err
	}
	return n, nil
}

// check validates names that are set and that no two secrets share one.
func (n Names) check() error {
	seen := map[string]string{}
	for _, f := range []struct{ what, name string }{
		{"registry secret", n.Registry}, {"username secret", n.Username}, {"password secret", n.Password},
		{"docker config secret", n.DockerConfig}, {"metadata variable", n.Metadata},
	} {
		if f.name == "" {
			continue
		}
		if err := checkName(f.what, f.name); err != nil {
			return err
		}
		if f.what == "metadata variable" {
			continue // variables and secrets are separate namespaces
		}
		up := strings.ToUpper(f.name)
		if other, ok := seen[up]; ok {
			return fmt.Errorf("%s and %s are both named %s", other, f.what, up)
		}
		seen[up] = f.what
	}
	return nil
}

// secrets returns the secret names, in the order they are written.
func (n Names) secrets() []string {
	out := []string{n.Registry, n.Username, n.Password}
	if n.DockerConfig != "" {
		out = append(out, n.DockerConfig)
	}
	return out
}

// validate checks the configuration and returns its scope.
func (c Config) validate() (scope, error) {
	var s scope
	switch {
	case c.Repository != "" && c.Organization != "":
		return s, errors.New("give repository or organization, not both")
	case c.Repository == "" && c.Organization == "":
		return s, errors.New("no repository (owner/name) or organization to write to")
	case c.Organization != "":
		if c.Environment != "" {
			return s, errors.New("environment is a repository's: give repository with it, not organization")
		}
		if !validLogin.MatchString(c.Organization) {
			return s, fmt.Errorf("organization %q is not an organization login", c.Organization)
		}
		if err := checkVisibility(c.Visibility, c.SelectedRepositoryIDs); err != nil {
			return s, err
		}
		s = scope{level: LevelOrganization, org: c.Organization, visibility: c.Visibility, selected: slices.Clone(c.SelectedRepositoryIDs)}
	default:
		owner, repo, ok := strings.Cut(c.Repository, "/")
		if !ok || !validLogin.MatchString(owner) || !validLogin.MatchString(repo) {
			return s, fmt.Errorf("repository %q is not owner/name", c.Repository)
		}
		if c.Visibility != "" || len(c.SelectedRepositoryIDs) > 0 {
			return s, errors.New("visibility and selected repository ids are for organization secrets only")
		}
		s = scope{level: LevelRepository, owner: owner, repo: repo}
		if c.Environment != "" {
			if strings.TrimSpace(c.Environment) != c.Environment || strings.ContainsAny(c.Environment, "/?#%") {
				return s, fmt.Errorf("environment %q: no surrounding spaces and none of / ? # %%", c.Environment)
			}
			s.level, s.env = LevelEnvironment, c.Environment
		}
	}
	if err := c.Names.check(); err != nil {
		return s, err
	}
	return s, nil
}

func checkVisibility(v Visibility, ids []int64) error {
	switch v {
	case VisibilityAll, VisibilityPrivate:
		if len(ids) > 0 {
			return fmt.Errorf("selected repository ids are only allowed with visibility %q, not %q", VisibilitySelected, v)
		}
	case VisibilitySelected:
		if len(ids) == 0 {
			return fmt.Errorf("visibility %q needs at least one selected repository id", v)
		}
		for _, id := range ids {
			if id <= 0 {
				return fmt.Errorf("selected repository id %d is not a repository id", id)
			}
		}
	case "":
		return errors.New("organization secrets need a visibility: all, private or selected")
	default:
		return fmt.Errorf("visibility %q: accepted are all, private and selected", v)
	}
	return nil
}
