package rotation

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Environment variables the Loader reads.
const (
	// EnvConfig holds the config document itself.
	EnvConfig = "REGMINT_CONFIG"
	// EnvConfigSSMParameter names an SSM parameter (String or SecureString)
	// holding the config document, for sets beyond Lambda's 4 KB of
	// environment.
	EnvConfigSSMParameter = "REGMINT_CONFIG_SSM_PARAMETER"
)

// SSMAPI is the part of the SSM client the Loader calls, with the SDK's
// signature: *ssm.Client satisfies it.
type SSMAPI interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var _ SSMAPI = (*ssm.Client)(nil)

// Loader finds and parses the config document. The zero value reads the
// process environment and files; set SSM to load from a parameter.
type Loader struct {
	// Getenv reads an environment variable; default os.Getenv.
	Getenv func(string) string
	// ReadFile reads a file; default os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// SSM reads the parameter named by REGMINT_CONFIG_SSM_PARAMETER; needed
	// only when that variable is set.
	SSM SSMAPI
}

// Load reads the config from path when it is not empty (local runs:
// -config FILE), else from REGMINT_CONFIG, else from the SSM parameter named
// by REGMINT_CONFIG_SSM_PARAMETER, and parses it. Setting both environment
// variables is an error. Errors say where the document came from.
func (l Loader) Load(ctx context.Context, path string) (*Config, error) {
	getenv := l.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	readFile := l.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	inline, param := getenv(EnvConfig), getenv(EnvConfigSSMParameter)
	var (
		data   []byte
		origin string
	)
	switch {
	case path != "":
		origin = "file " + path
		b, err := readFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		data = b
	case inline != "" && param != "":
		return nil, fmt.Errorf("both %s and %s are set: set one", EnvConfig, EnvConfigSSMParameter)
	case inline != "" && !strings.ContainsAny(strings.TrimSpace(inline), ":{[\n"):
		// A file name or a bare word, not a document: YAML would read it as
		// a string.
		return nil, fmt.Errorf("%s holds %q, which is not a config document; accepted: the YAML or JSON document itself in %s, or a file given with -config FILE",
			EnvConfig, inline, EnvConfig)
	case inline != "":
		origin, data = EnvConfig, []byte(inline)
	case param != "":
		origin = "SSM parameter " + param
		s, err := l.parameter(ctx, param)
		if err != nil {
			return nil, err
		}
		data = []byte(s)
	default:
		return nil, fmt.Errorf("no config: give a file (-config FILE), or set %s to the document or %s to an SSM parameter name", EnvConfig, EnvConfigSSMParameter)
	}
	cfg, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config from %s: %w", origin, err)
	}
	return cfg, nil
}

func (l Loader) parameter(ctx context.Context, name string) (string, error) {
	if l.SSM == nil {
		return "", fmt.Errorf("%s is set but no SSM client was given", EnvConfigSSMParameter)
	}
	out, err := l.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	if out == nil || out.Parameter == nil || out.Parameter.Value == nil {
		return "", errors.New("ssm GetParameter " + name + ": the answer holds no value")
	}
	return *out.Parameter.Value, nil
}
