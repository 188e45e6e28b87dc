package credhelper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/providers"
)

// HelperName is the docker credential helper's program name: docker and
// crane run docker-credential-<name> for credHelpers entries naming
// "regmint".
const HelperName = "docker-credential-regmint"

// Process is what one run of a program takes from its process.
type Process struct {
	// Args are the arguments after the program name.
	Args []string
	// Stdin, Stdout and Stderr are the standard streams. Stdout carries
	// the protocol's answer only.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment.
	Getenv func(string) string
	// Env is what the issuers run with (its Getenv defaults to Getenv).
	Env core.Env
	// Version is the program's version.
	Version string
}

// ServeDocker runs one command of the docker credential helper protocol
// (get, list, store, erase, version) and returns the exit code. A host the
// targets document does not serve answers the protocol's "credentials not
// found", so that the client falls back to its other auth. An error is one
// line on stdout, as the protocol reads it, and the same line with advice
// on stderr; neither ever holds a secret.
func ServeDocker(ctx context.Context, p Process) int {
	if len(p.Args) != 1 {
		fmt.Fprintf(p.Stderr, "usage: %s <get|list|store|erase|version>\n", HelperName)
		return 2
	}
	switch p.Args[0] {
	case "-version", "--version", "-v", credentials.ActionVersion:
		fmt.Fprintf(p.Stdout, "%s %s\n", HelperName, p.Version)
		return 0
	case "-h", "-help", "--help":
		fmt.Fprintf(p.Stdout, "usage: %s <get|list|store|erase|version>\n", HelperName)
		return 0
	case credentials.ActionStore:
		// Logins are minted, not stored: the input is read and dropped, as
		// amazon-ecr-credential-helper does.
		io.Copy(io.Discard, io.LimitReader(p.Stdin, 1<<20))
		return 0
	}
	h, err := NewHelper(p)
	if err == nil {
		err = credentials.HandleCommand(dockerHelper{ctx: ctx, h: h}, p.Args[0], io.LimitReader(p.Stdin, 64<<10), p.Stdout)
	}
	if err == nil {
		return 0
	}
	if credentials.IsErrCredentialsNotFound(err) {
		fmt.Fprintln(p.Stdout, err)
		return 1
	}
	msg := oneLine(err, p.Getenv)
	fmt.Fprintln(p.Stdout, msg)
	fmt.Fprintln(p.Stderr, HelperName+": "+withHint(msg, err))
	return 1
}

// NewHelper builds the Helper the docker credential helper runs: the
// targets document from ConfigPath, the cache in CacheDir, warnings to
// stderr.
func NewHelper(p Process) (*Helper, error) {
	path, err := ConfigPath(p.Getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		return nil, err
	}
	h, err := newHelper(p, cfg)
	if err == nil && h.Cache == nil {
		h.warn("not caching credentials: set XDG_CACHE_HOME or HOME")
	}
	return h, err
}

// NewFor builds the Helper a process runs over cfg: its issuers with p's
// environment, warnings on p's stderr, the cache in CacheDir when the
// environment names one.
func NewFor(p Process, cfg *config.Config) *Helper {
	h, _ := newHelper(p, cfg)
	return h
}

// ErrorLine renders err as the one line the programs print on stderr:
// no secret the environment holds, and the provider's advice if any.
func ErrorLine(err error, getenv func(string) string) string {
	return withHint(oneLine(err, getenv), err)
}

func newHelper(p Process, cfg *config.Config) (*Helper, error) {
	env := p.Env
	if env.Getenv == nil {
		env.Getenv = p.Getenv
	}
	warn := func(msg string) { fmt.Fprintln(p.Stderr, "warning: "+oneLine(errors.New(msg), p.Getenv)) }
	h := &Helper{Config: cfg, Env: env, Warn: warn}
	if dir, err := CacheDir(p.Getenv); err == nil {
		h.Cache = &Cache{Dir: dir, Warn: warn}
	}
	return h, nil
}

// oneLine renders err on one line with every secret the environment holds
// replaced.
func oneLine(err error, getenv func(string) string) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	var secrets []string
	for _, v := range providers.SecretEnv() {
		if s := getenv(v); s != "" {
			secrets = append(secrets, s)
		}
	}
	return core.Redact(msg, secrets...)
}

// withHint appends the provider's advice for err, if any.
func withHint(msg string, err error) string {
	if h := providers.Hint(err); h != "" {
		return msg + " (hint: " + h + ")"
	}
	return msg
}

// dockerHelper adapts Helper to the protocol library's interface.
type dockerHelper struct {
	ctx context.Context
	h   *Helper
}

func (d dockerHelper) Add(*credentials.Credentials) error { return nil }

func (d dockerHelper) Delete(serverURL string) error { return d.h.Erase(serverURL) }

func (d dockerHelper) Get(serverURL string) (string, string, error) {
	r, err := d.h.Get(d.ctx, serverURL)
	if errors.Is(err, ErrUnknownHost) {
		return "", "", credentials.NewErrCredentialsNotFound()
	}
	if err != nil {
		return "", "", err
	}
	return r.Credential.Username, r.Credential.Password, nil
}

func (d dockerHelper) List() (map[string]string, error) { return d.h.List(), nil }
