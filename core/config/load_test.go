package config_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/config/ssmparam"
	"github.com/regmint/regmint/core/stores"
)

// fakeSSM is a func-field ssmparam.API.
type fakeSSM struct {
	get func(ctx context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error)
}

func (f fakeSSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	return f.get(ctx, in)
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Parallel()
	want, err := config.Parse([]byte(exampleYAML), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "regmint.yaml")
	if err := os.WriteFile(file, []byte(exampleYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	ssmOK := fakeSSM{get: func(_ context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		if *in.Name != "/regmint/config" || in.WithDecryption == nil || !*in.WithDecryption {
			return nil, errors.New("unexpected request")
		}
		v := exampleJSON
		return &ssm.GetParameterOutput{Parameter: &types.Parameter{Value: &v}}, nil
	}}
	for _, tc := range []struct {
		name string
		l    config.Loader
		path string
	}{
		{"file", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(nil)}, file},
		{"file wins over env", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfig: "not: [valid"})}, file},
		{"env", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfig: exampleYAML})}, ""},
		{"ssm", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfigSSMParameter: "/regmint/config"}), Parameters: ssmparam.Reader{API: ssmOK}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.l.Load(context.Background(), tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("loaded %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	ssmErr := fakeSSM{get: func(context.Context, *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		return nil, errors.New("ParameterNotFound: request id 1234")
	}}
	ssmEmpty := fakeSSM{get: func(context.Context, *ssm.GetParameterInput) (*ssm.GetParameterOutput, error) {
		return &ssm.GetParameterOutput{}, nil
	}}
	for _, tc := range []struct {
		name string
		l    config.Loader
		path string
		want string
	}{
		{"nothing", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(nil)}, "", "no config: give a file (-config FILE), or set REGMINT_CONFIG"},
		{"both env", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfig: "x", config.EnvConfigSSMParameter: "y"})}, "", "both REGMINT_CONFIG and REGMINT_CONFIG_SSM_PARAMETER are set"},
		{"missing file", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(nil), ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist }}, "/nope.yaml", "read config: file does not exist"},
		{"bad env doc", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfig: "targets: []"})}, "", "config from REGMINT_CONFIG: config: targets: is empty"},
		{"bad file doc", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(nil), ReadFile: func(string) ([]byte, error) { return []byte("targets: 3"), nil }}, "c.yaml", "config from file c.yaml: config: targets: must be a list"},
		{"ssm without client", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfigSSMParameter: "/p"})}, "", "REGMINT_CONFIG_SSM_PARAMETER is set but no SSM client was given"},
		{"ssm error", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfigSSMParameter: "/p"}), Parameters: ssmparam.Reader{API: ssmErr}}, "", "ssm GetParameter /p: ParameterNotFound"},
		{"ssm empty", config.Loader{Kinds: stores.Kinds(), Getenv: envOf(map[string]string{config.EnvConfigSSMParameter: "/p"}), Parameters: ssmparam.Reader{API: ssmEmpty}}, "", "ssm GetParameter /p: the answer holds no value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.l.Load(context.Background(), tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestLoadConfigFile: REGMINT_CONFIG_FILE names a file, read from Dir when
// relative (the function's package in Lambda) and as given when absolute
// or when Dir is empty.
func TestLoadConfigFile(t *testing.T) {
	t.Parallel()
	want, err := config.Parse([]byte(exampleYAML), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(root, "config", "regmint.yaml")
	if err := os.WriteFile(abs, []byte(exampleYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	// The working directory is the package's: read a relative name there
	// through a ReadFile that resolves it, as os.ReadFile would.
	fromWD := func(p string) ([]byte, error) {
		if filepath.IsAbs(p) {
			return nil, fmt.Errorf("read %s: want the name as given", p)
		}
		return os.ReadFile(filepath.Join(root, p))
	}
	for _, tc := range []struct {
		name  string
		l     config.Loader
		value string
		path  string // -config
	}{
		{"relative to Dir", config.Loader{Kinds: stores.Kinds(), Dir: root}, "config/regmint.yaml", ""},
		{"absolute, Dir ignored", config.Loader{Kinds: stores.Kinds(), Dir: "/nonexistent"}, abs, ""},
		{"relative, no Dir: the working directory", config.Loader{Kinds: stores.Kinds(), ReadFile: fromWD}, "config/regmint.yaml", ""},
		{"-config wins", config.Loader{Kinds: stores.Kinds(), Dir: "/nonexistent"}, "missing.yaml", abs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := tc.l
			l.Getenv = envOf(map[string]string{config.EnvConfigFile: tc.value})
			got, err := l.Load(context.Background(), tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("loaded %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestLoadConfigFileErrors: a missing file, a directory, a document in
// place of a name and two sources at once are refused, naming the
// variable, the path read and what is accepted.
func TestLoadConfigFileErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	bad := filepath.Join(root, "bad.yaml")
	if err := os.WriteFile(bad, []byte("targets: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		dir  string
		want string
	}{
		{"missing", map[string]string{config.EnvConfigFile: "regmint.yaml"}, root,
			`REGMINT_CONFIG_FILE "regmint.yaml": open ` + filepath.Join(root, "regmint.yaml") + ": no such file or directory; accepted: the path of a YAML or JSON config file, absolute or relative to " + root},
		{"missing, no Dir", map[string]string{config.EnvConfigFile: "nonexistent/regmint.yaml"}, "",
			"open nonexistent/regmint.yaml: no such file or directory; accepted: the path of a YAML or JSON config file, absolute or relative to the working directory"},
		{"a directory", map[string]string{config.EnvConfigFile: "."}, root, "is a directory; accepted: "},
		{"blank", map[string]string{config.EnvConfigFile: " "}, root, "REGMINT_CONFIG_FILE is blank; accepted: "},
		{"a document", map[string]string{config.EnvConfigFile: "targets:\n  - name: a\n"}, root,
			"REGMINT_CONFIG_FILE holds a document, not a file name; accepted: the path of a YAML or JSON config file, absolute or relative to " + root + " (the document itself goes in REGMINT_CONFIG)"},
		{"a bad document", map[string]string{config.EnvConfigFile: "bad.yaml"}, root,
			"config from file " + bad + " (REGMINT_CONFIG_FILE): config: targets: is empty"},
		{"and SSM", map[string]string{config.EnvConfigFile: "regmint.yaml", config.EnvConfigSSMParameter: "/regmint/config"}, root,
			"both REGMINT_CONFIG_FILE and REGMINT_CONFIG_SSM_PARAMETER are set: set one"},
		{"and the document", map[string]string{config.EnvConfig: exampleYAML, config.EnvConfigFile: "regmint.yaml"}, root,
			"both REGMINT_CONFIG and REGMINT_CONFIG_FILE are set: set one"},
		{"all three", map[string]string{config.EnvConfig: exampleYAML, config.EnvConfigFile: "regmint.yaml", config.EnvConfigSSMParameter: "/p"}, root,
			"REGMINT_CONFIG, REGMINT_CONFIG_FILE and REGMINT_CONFIG_SSM_PARAMETER are all set: set one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Loader{Kinds: stores.Kinds(), Getenv: envOf(tc.env), Dir: tc.dir}.Load(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want %q", err, tc.want)
			}
		})
	}
}
