// Package readmetest keeps generated parts of the Markdown docs (README.md,
// docs/*.md) in step with the code. A test renders a part (a table of errors
// the code printed, or a block cut from an example file) and calls Sync,
// which fails the test when the doc's text between the part's markers
// differs, or rewrites it when the environment variable Update is 1.
//
// Markers are HTML comments on their own lines:
//
//	<!-- badinput:action:begin -->
//	...generated...
//	<!-- badinput:action:end -->
package readmetest

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// Update is the environment variable that makes Sync rewrite the README
// instead of failing: REGMINT_UPDATE_README=1 go test ./...
const Update = "REGMINT_UPDATE_README"

// staleLock is how old a lock file may be before it is taken as left behind
// by a killed test run.
const staleLock = time.Minute

// Sync compares the part of the Markdown file at path between the markers
// "<!-- part:begin -->\n" and "<!-- part:end -->" with content. On a
// difference it fails t naming the first differing line and rerun, the
// command that regenerates the part, or, when Update is 1, rewrites the file.
// Rewrites are serialised across test processes, since go test runs the
// packages that own parts of one README at the same time.
func Sync(t testing.TB, path, part, content, rerun string) {
	t.Helper()
	begin, end := "<!-- "+part+":begin -->\n", "<!-- "+part+":end -->"
	update := os.Getenv(Update) == "1"
	if update {
		defer lock(t, path)()
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q and %q", path, strings.TrimSpace(begin), end)
	}
	got := doc[i+len(begin) : j]
	if got == content {
		return
	}
	if update {
		doc = doc[:i+len(begin)] + content + doc[j:]
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s between the %s markers", path, part)
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(content, "\n")
	for k := 0; k < len(gl) || k < len(wl); k++ {
		var g, w string
		if k < len(gl) {
			g = gl[k]
		}
		if k < len(wl) {
			w = wl[k]
		}
		if g != w {
			t.Errorf("%s's %s part differs from what the code prints (line %d):\ndoc:  %s\nwant: %s\nrun %s=1 %s to rewrite it",
				path, part, k+1, g, w, Update, rerun)
			return
		}
	}
}

// Code renders s as a Markdown code span that fits in a table cell: pipes
// escaped, newlines folded, and a double-backtick span when s holds one.
func Code(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// lock takes an exclusive lock file beside path and returns its release.
func lock(t testing.TB, path string) func() {
	t.Helper()
	name := path + ".lock"
	deadline := time.Now().Add(2 * staleLock)
	for {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			f.Close()
			return func() { os.Remove(name) }
		}
		if !errors.Is(err, os.ErrExist) || time.Now().After(deadline) {
			t.Fatalf("lock %s: %v", path, err)
		}
		if fi, err := os.Stat(name); err == nil && time.Since(fi.ModTime()) > staleLock {
			os.Remove(name)
			continue
		}
		time.Sleep(20 * time.Millisecond)
	}
}
