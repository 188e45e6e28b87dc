package config

import (
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
)

// FieldError is a problem with one field of the config document: which
// target (by name and position) or top-level key, which field, what was
// wrong and what is accepted. It never holds the value of a secret.
// core.FieldErrors finds the embedded *core.FieldError through Unwrap.
type FieldError struct {
	// Target is the target's name; empty for a top-level key or a target
	// without a name.
	Target string
	// Index is the target's position in targets (from 0), or -1 for a
	// top-level key.
	Index int
	// FieldError names the field (a key path within the target or the
	// document, e.g. "destinations[1].store") and the problem.
	*core.FieldError
}

// Error renders `target "name" (targets[i]): field: problem; accepted: ...`.
func (e *FieldError) Error() string {
	if e.Field == "" {
		msg := e.Where() + ": " + e.Problem
		if e.Accepted != "" {
			msg += "; accepted: " + e.Accepted
		}
		return msg
	}
	return e.Where() + ": " + e.FieldError.Error()
}

// Unwrap returns the core.FieldError.
func (e *FieldError) Unwrap() error { return e.FieldError }

// Where says which part of the document the error is about.
func (e *FieldError) Where() string {
	switch {
	case e.Index < 0:
		return "config"
	case e.Target == "":
		return "targets[" + strconv.Itoa(e.Index) + "]"
	}
	return "target " + strconv.Quote(e.Target) + " (targets[" + strconv.Itoa(e.Index) + "])"
}

// loc is where in the document a check is: the whole document (index -1) or
// one target.
type loc struct {
	target string
	index  int
}

var top = loc{index: -1}

// errorList collects field errors for one document.
type errorList []error

func (l *errorList) add(at loc, field, problem, accepted string) {
	*l = append(*l, &FieldError{Target: at.target, Index: at.index,
		FieldError: &core.FieldError{Field: field, Problem: problem, Accepted: accepted}})
}

// wrap adds every core.FieldError of err (e.g. from core.Target.Validate)
// at the given place, with prefix before the field name.
func (l *errorList) wrap(at loc, prefix string, err error) {
	fes := core.FieldErrors(err)
	if err != nil && len(fes) == 0 {
		l.add(at, strings.TrimSuffix(prefix, "."), err.Error(), "")
	}
	for _, fe := range fes {
		l.add(at, prefix+fe.Field, fe.Problem, fe.Accepted)
	}
}
