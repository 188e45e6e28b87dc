package config

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Environment variables the Loader reads. Exactly one of them names the
// config (or none, when a file is given with -config): by size, the
// document itself up to Lambda's 4 KB of environment, an SSM parameter up
// to 4 KB (standard) or 8 KB (advanced), a file beyond that.
const (
	// EnvConfig holds the config document itself.
	EnvConfig = "REGMINT_CONFIG"
	// EnvConfigFile names a file holding the config document; a relative
	// name is read from Loader.Dir. The rotation function's package
	// carries the file when it is built with one (make
	// build-RotateFunction CONFIG=FILE), for sets beyond what the other
	// two hold.
	EnvConfigFile = "REGMINT_CONFIG_FILE"
	// EnvConfigSSMParameter names an SSM parameter (String or SecureString)
	// holding the config document, for sets beyond Lambda's 4 KB of
	// environment.
	EnvConfigSSMParameter = "REGMINT_CONFIG_SSM_PARAMETER"
)

// ParameterReader reads a parameter store's value by name (the SSM
// parameter REGMINT_CONFIG_SSM_PARAMETER names; ssmget.Client is the
// rotation function's, one signed GetParameter; ssmparam.Reader adapts the
// SDK's SSM client). Errors name the parameter and never hold its value.
type ParameterReader interface {
	ReadParameter(ctx context.Context, name string) (string, error)
}

// Loader finds and parses the config document. The zero value reads the
// process environment and files; set SSM to load from a parameter.
type Loader struct {
	// Getenv reads an environment variable; default os.Getenv.
	Getenv func(string) string
	// ReadFile reads a file; default os.ReadFile.
	ReadFile func(string) ([]byte, error)
	// Dir is the directory a relative REGMINT_CONFIG_FILE is read from;
	// empty: the working directory. The rotation function sets it to its
	// package's directory in Lambda (LAMBDA_TASK_ROOT).
	Dir string
	// Parameters reads the parameter named by
	// REGMINT_CONFIG_SSM_PARAMETER; needed only when that variable is set.
	Parameters ParameterReader
	// Kinds are the store kinds destinations may name (Parse's kinds).
	Kinds []StoreKind
}

// Load reads the config from path when it is not empty (local runs:
// -config FILE), else from the one source the environment names: the
// document in REGMINT_CONFIG, the file named by REGMINT_CONFIG_FILE, or the
// SSM parameter named by REGMINT_CONFIG_SSM_PARAMETER; and parses it. An
// empty variable is unset; setting two is an error. Errors say where the
// document came from.
func (l Loader) Load(ctx context.Context, path string) (*Config, error) {
	getenv := l.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	readFile := l.ReadFile
	if readFile == nil {
		readFile = os.ReadFile
	}
	inline, file, param := getenv(EnvConfig), getenv(EnvConfigFile), getenv(EnvConfigSSMParameter)
	var (
		data   []byte
		origin string
	)
	if path == "" {
		if err := oneSource(inline, file, param); err != nil {
			return nil, err
		}
	}
	switch {
	case path != "":
		origin = "file " + path
		b, err := readFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		data = b
	case inline != "" && !strings.ContainsAny(strings.TrimSpace(inline), ":{[\n"):
		// A file name or a bare word, not a document: YAML would read it as
		// a string.
		return nil, fmt.Errorf("%s holds %q, which is not a config document; accepted: the YAML or JSON document itself in %s, or a file named by %s or given with -config FILE",
			EnvConfig, inline, EnvConfig, EnvConfigFile)
	case inline != "":
		origin, data = EnvConfig, []byte(inline)
	case file != "":
		b, name, err := l.file(readFile, file)
		if err != nil {
			return nil, err
		}
		origin, data = "file "+name+" ("+EnvConfigFile+")", b
	case param != "":
		origin = "SSM parameter " + param
		s, err := l.parameter(ctx, param)
		if err != nil {
			return nil, err
		}
		data = []byte(s)
	default:
		return nil, fmt.Errorf("no config: give a file (-config FILE), or set %s to the document, %s to a file or %s to an SSM parameter name",
			EnvConfig, EnvConfigFile, EnvConfigSSMParameter)
	}
	cfg, err := parse(data, l.Kinds, getenv, refuseServiceAccount)
	if err != nil {
		return nil, fmt.Errorf("config from %s: %w", origin, err)
	}
	return cfg, nil
}

// oneSource refuses an environment that names more than one source.
func oneSource(inline, file, param string) error {
	var set []string
	for _, v := range []struct{ name, value string }{{EnvConfig, inline}, {EnvConfigFile, file}, {EnvConfigSSMParameter, param}} {
		if v.value != "" {
			set = append(set, v.name)
		}
	}
	switch len(set) {
	case 0, 1:
		return nil
	case 2:
		return fmt.Errorf("both %s and %s are set: set one", set[0], set[1])
	}
	return fmt.Errorf("%s, %s and %s are all set: set one", set[0], set[1], set[2])
}

// acceptedFile says what REGMINT_CONFIG_FILE accepts, read from dir.
func acceptedFile(dir string) string {
	if dir == "" {
		dir = "the working directory"
	}
	return "the path of a YAML or JSON config file, absolute or relative to " + dir
}

// file reads the file REGMINT_CONFIG_FILE names, and returns it with the
// path it was read from.
func (l Loader) file(readFile func(string) ([]byte, error), name string) ([]byte, string, error) {
	switch t := strings.TrimSpace(name); {
	case t == "":
		return nil, "", fmt.Errorf("%s is blank; accepted: %s", EnvConfigFile, acceptedFile(l.Dir))
	case strings.ContainsRune(t, '\n') || strings.HasPrefix(t, "{"):
		// Not shown: a document may be long.
		return nil, "", fmt.Errorf("%s holds a document, not a file name; accepted: %s (the document itself goes in %s)",
			EnvConfigFile, acceptedFile(l.Dir), EnvConfig)
	}
	p := name
	if !filepath.IsAbs(p) && l.Dir != "" {
		p = filepath.Join(l.Dir, p)
	}
	b, err := readFile(p)
	if err != nil {
		return nil, "", fmt.Errorf("%s %q: %w; accepted: %s", EnvConfigFile, name, err, acceptedFile(l.Dir))
	}
	return b, p, nil
}

func (l Loader) parameter(ctx context.Context, name string) (string, error) {
	if l.Parameters == nil {
		return "", fmt.Errorf("%s is set but no SSM client was given", EnvConfigSSMParameter)
	}
	return l.Parameters.ReadParameter(ctx, name)
}
