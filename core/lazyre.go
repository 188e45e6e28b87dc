package core

import (
	"regexp"
	"sync"
)

// lazyRegexp is a regular expression compiled on first use rather than
// at program start: patterns with counted repetitions ({0,127}) take
// milliseconds to compile, which a short-lived process such as the docker
// credential helper pays on every run even when it never validates.
type lazyRegexp struct {
	expr string
	once sync.Once
	re   *regexp.Regexp
}

func newLazyRegexp(expr string) *lazyRegexp { return &lazyRegexp{expr: expr} }

func (l *lazyRegexp) get() *regexp.Regexp {
	l.once.Do(func() { l.re = regexp.MustCompile(l.expr) })
	return l.re
}

// MatchString reports whether s matches the expression.
func (l *lazyRegexp) MatchString(s string) bool { return l.get().MatchString(s) }
