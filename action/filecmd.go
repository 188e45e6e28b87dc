package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/regmint/regmint/core"
)

// The runner's file commands, as environment variables naming the files.
const (
	envOutput  = "GITHUB_OUTPUT"
	envState   = "GITHUB_STATE"
	envSummary = "GITHUB_STEP_SUMMARY"
)

// runnerFiles are the files the runner reads a step's outputs, state and
// job summary from. go-githubactions writes every value with one fixed
// delimiter and panics when a file is missing; these are written with a
// random delimiter per value, as the runner's own toolkit does, and checked
// before the step makes any network call.
type runnerFiles struct {
	output, state string
	// summary is "" when the runner gave no usable summary file: the
	// summary is then skipped.
	summary string
}

// runnerFilesFrom checks that GITHUB_OUTPUT and GITHUB_STATE name files the
// step can append to (without a state file, a long-term token would have
// nothing to revoke it from). A missing GITHUB_STEP_SUMMARY only means no
// summary; skipped says why, or is "".
func runnerFilesFrom(getenv func(string) string) (f runnerFiles, skipped string, err error) {
	var errs []error
	for _, rf := range []struct {
		env  string
		path *string
		what string
	}{
		{envOutput, &f.output, "the step's outputs"},
		{envState, &f.state, "the long-term token id the post step revokes"},
	} {
		p := getenv(rf.env)
		if err := appendable(p); err != nil {
			errs = append(errs, fmt.Errorf("the runner's file %s (%s) %w: run the action as a step of a GitHub Actions job", rf.env, rf.what, err))
			continue
		}
		*rf.path = p
	}
	if len(errs) > 0 {
		return runnerFiles{}, "", errors.Join(errs...)
	}
	if p := getenv(envSummary); appendable(p) == nil {
		f.summary = p
	} else {
		skipped = fmt.Sprintf("no job summary: %s %v", envSummary, appendable(p))
	}
	return f, skipped, nil
}

// appendable reports whether path names an existing file the step can
// append to. It creates nothing: the runner creates the files.
func appendable(path string) error {
	if path == "" {
		return errors.New("is not set")
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("does not exist")
		}
		return errors.New("cannot be written")
	}
	return fh.Close()
}

// fileDelimiterPrefix starts every delimiter, as in the runner's toolkit.
const fileDelimiterPrefix = "ghadelimiter_"

// writeFileCommand appends name=value to a file command file as
// name<<DELIMITER, value, DELIMITER, with a fresh random delimiter. A name
// that is not one line of its own, or a value holding the delimiter, is
// refused; the error never holds the value.
func writeFileCommand(path, name, value string) error {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	delim := fileDelimiterPrefix + hex.EncodeToString(b[:])
	switch {
	case name == "" || strings.ContainsAny(name, "\r\n") || strings.Contains(name, "<<"):
		return fmt.Errorf("write %q: not a file command name", name)
	case strings.Contains(value, delim) || strings.Contains(name, delim):
		return fmt.Errorf("write %s: the value holds the delimiter", name)
	}
	return appendFile(path, name+"<<"+delim+"\n"+value+"\n"+delim+"\n")
}

// appendFile appends text to an existing file.
func appendFile(path, text string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := fh.WriteString(text); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// dockerConfigLine renders cred as a one-line docker config.json. The
// JSON is compacted, so whitespace inside values (a password may hold
// spaces) is kept.
func dockerConfigLine(creds ...core.Credential) (string, error) {
	docker, err := core.DockerConfig(creds...)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, docker); err != nil {
		return "", fmt.Errorf("render docker config: %w", err)
	}
	return b.String(), nil
}

// addSummary appends the job summary, when the runner gave a summary file;
// a failed write only warns.
func addSummary(a *githubactions.Action, f runnerFiles, markdown string) {
	if f.summary == "" {
		return
	}
	if err := appendFile(f.summary, markdown+"\n"); err != nil {
		a.Warningf("no job summary: %s cannot be written", envSummary)
	}
}
