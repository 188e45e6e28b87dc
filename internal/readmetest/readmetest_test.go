package readmetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Logf(string, ...any) {}

func writeDoc(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "README.md")
	doc := "# title\n\n<!-- part:begin -->\n" + body + "<!-- part:end -->\n\ntail\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSyncMatches(t *testing.T) {
	path := writeDoc(t, "| a | b |\n")
	r := &recorder{TB: t}
	Sync(r, path, "part", "| a | b |\n", "go test")
	if len(r.errs) != 0 {
		t.Errorf("matching part reported: %v", r.errs)
	}
}

func TestSyncReportsFirstDifference(t *testing.T) {
	path := writeDoc(t, "| a | b |\n| c | d |\n")
	r := &recorder{TB: t}
	Sync(r, path, "part", "| a | b |\n| c | e |\n", "go test ./x -run TestY")
	if len(r.errs) != 1 {
		t.Fatalf("%d errors, want 1: %v", len(r.errs), r.errs)
	}
	for _, want := range []string{"line 2", "| c | d |", "| c | e |", Update + "=1 go test ./x -run TestY"} {
		if !strings.Contains(r.errs[0], want) {
			t.Errorf("error lacks %q:\n%s", want, r.errs[0])
		}
	}
}

func TestSyncRewritesOnlyThePart(t *testing.T) {
	t.Setenv(Update, "1")
	path := writeDoc(t, "old\n")
	r := &recorder{TB: t}
	Sync(r, path, "part", "new\nrows\n", "go test")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "# title\n\n<!-- part:begin -->\nnew\nrows\n<!-- part:end -->\n\ntail\n"
	if string(got) != want || len(r.errs) != 0 {
		t.Errorf("rewritten file:\n%s\nwant:\n%s\nerrors: %v", got, want, r.errs)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

func TestCode(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":     "`a\\|b`",
		"x\ny":    "`x y`",
		"use `x`": "`` use `x` ``",
	} {
		if got := Code(in); got != want {
			t.Errorf("Code(%q) = %s, want %s", in, got, want)
		}
	}
}
