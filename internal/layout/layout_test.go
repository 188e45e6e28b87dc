// Package layout holds the tests that keep the repository's shape: what
// may know the providers, and what the engine and config may link.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/regmint/regmint/"

// providerPackages are the provider packages: only they, their emulators,
// the one provider list (core/providers), the demo and the bench may
// import them.
var providerPackages = []string{"core/tcr", "core/swr"}

// mayKnowProviders are the directories (and everything below them) whose
// non-test files may import a provider package: the providers, their
// list, and the programs that start their emulators (demo, bench,
// sandbox).
var mayKnowProviders = []string{"core/tcr", "core/swr", "core/providers", "cmd/demo", "cmd/bench", "cmd/regmint-sandbox"}

// TestOnlyTheListKnowsProviders: adding a provider is its package, its
// emulator, one line in core/providers.All, action.yml and the docs. No
// other production file imports a provider package, so none can switch on
// a provider's constants.
func TestOnlyTheListKnowsProviders(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || under(rel, mayKnowProviders) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if under(strings.TrimPrefix(p, module), providerPackages) && strings.HasPrefix(p, module) {
				t.Errorf("%s imports %s: only the provider list (core/providers) may; ask a core.Descriptor instead", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files: is the walk rooted at the repository?", checked)
	}
}

// TestEngineLinksNoCloudStore: the rotation engine receives opened stores,
// and config parsing and the freshness decision link neither the engine
// nor a store's SDK, so that any delivery form can import them.
func TestEngineLinksNoCloudStore(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"./core/rotation", []string{"github.com/aws/aws-sdk-go-v2/service/", "github.com/google/go-github/", module + "core/store/"}},
		{"./core/config", []string{"github.com/aws/", "github.com/google/go-github/", module + "core/store/", module + "core/rotation"}},
		{"./core/decide", []string{"github.com/aws/", "github.com/google/go-github/", module + "core/store/", module + "core/rotation", module + "core/providers"}},
		{"./core/store/dockergroup", []string{"k8s.io/", "github.com/aws/", "github.com/google/go-github/"}},
	} {
		cmd := exec.Command("go", "list", "-deps", tc.pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", tc.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range tc.forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s links %s", tc.pkg, dep)
				}
			}
		}
	}
}

// under reports whether rel is one of dirs or below one.
func under(rel string, dirs []string) bool {
	for _, d := range dirs {
		if rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestLambdaLinksNoKubernetes: the Lambda bootstrap (every Lambda build
// sets -tags lambda.norpc: make bootstrap, sam build, the bench) links no
// client-go and not the AWS SDK's shared-config loading (profiles, SSO:
// Lambda gives the keys in the environment), so it stays within its size;
// the local build of the same main (the in-cluster image) links both.
func TestLambdaLinksNoKubernetes(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	deps := func(tags ...string) []string {
		args := append([]string{"list", "-deps"}, tags...)
		cmd := exec.Command("go", append(args, "./functions/rotate")...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %v: %v\n%s", tags, err, out)
		}
		return strings.Fields(string(out))
	}
	for _, dep := range deps("-tags", "lambda.norpc") {
		if strings.HasPrefix(dep, "k8s.io/") || dep == module+"core/store/kubernetes" ||
			dep == "github.com/aws/aws-sdk-go-v2/config" || strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/sso") {
			t.Errorf("the Lambda build of functions/rotate links %s", dep)
		}
	}
	if !slices.Contains(deps(), module+"core/store/kubernetes") {
		t.Error("the local build of functions/rotate does not link core/store/kubernetes: the in-cluster image could not write Secrets")
	}
}
