package core

import (
	"regexp"
	"sync"
)

// LazyRegexp is a regular expression compiled on first use rather than
// at program start: patterns with counted repetitions ({0,127}) take
// milliseconds to compile, which a short-lived process such as the docker
// credential helper pays on every run even when it never validates.
type LazyRegexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

// NewLazyRegexp returns expr, to be compiled on first use (it must compile).
func NewLazyRegexp(expr string) *LazyRegexp { return &LazyRegexp{expr: expr} }

func (l *LazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// MatchString reports whether s matches the expression.
func (l *LazyRegexp) MatchString(s string) bool { return l.get().MatchString(s) }
