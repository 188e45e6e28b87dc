package rotation_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/regmint/regmint/core/rotation"
)

// fakeSSM is a func-field rotation.SSMAPI.
type fakeSSM struct {
	get func(ctx context.Context, in *ssm.GetParameterInput) (*ssm.GetParameterOutput, error)
}

func (f fakeSSM) GetParameter(ctx context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	return f.get(ctx, in)
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad(t *testing.T) {
	t.Parallel()
	want, err := rotation.Parse([]byte(exampleYAML))
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
		l    rotation.Loader
		path string
	}{
		{"file", rotation.Loader{Getenv: envOf(nil)}, file},
		{"file wins over env", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfig: "not: [valid"})}, file},
		{"env", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfig: exampleYAML})}, ""},
		{"ssm", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfigSSMParameter: "/regmint/config"}), SSM: ssmOK}, ""},
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
		l    rotation.Loader
		path string
		want string
	}{
		{"nothing", rotation.Loader{Getenv: envOf(nil)}, "", "no config: give a file (-config FILE), or set REGMINT_CONFIG"},
		{"both env", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfig: "x", rotation.EnvConfigSSMParameter: "y"})}, "", "both REGMINT_CONFIG and REGMINT_CONFIG_SSM_PARAMETER are set"},
		{"missing file", rotation.Loader{Getenv: envOf(nil), ReadFile: func(string) ([]byte, error) { return nil, fs.ErrNotExist }}, "/nope.yaml", "read config: file does not exist"},
		{"bad env doc", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfig: "targets: []"})}, "", "config from REGMINT_CONFIG: config: targets: is empty"},
		{"bad file doc", rotation.Loader{Getenv: envOf(nil), ReadFile: func(string) ([]byte, error) { return []byte("targets: 3"), nil }}, "c.yaml", "config from file c.yaml: config: targets: must be a list"},
		{"ssm without client", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfigSSMParameter: "/p"})}, "", "REGMINT_CONFIG_SSM_PARAMETER is set but no SSM client was given"},
		{"ssm error", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfigSSMParameter: "/p"}), SSM: ssmErr}, "", "ssm GetParameter /p: ParameterNotFound"},
		{"ssm empty", rotation.Loader{Getenv: envOf(map[string]string{rotation.EnvConfigSSMParameter: "/p"}), SSM: ssmEmpty}, "", "ssm GetParameter /p: the answer holds no value"},
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
