package secretsmanager_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/store/storetest"
)

// TestEndpointFromEnvironment stores through a client whose only pointer to
// the emulator is the environment (read with an injected getenv).
func TestEndpointFromEnvironment(t *testing.T) {
	t.Parallel()
	srv := smtest.New()
	t.Cleanup(srv.Close)
	cfg := srv.Config()
	cfg.BaseEndpoint = nil
	client, err := secretsmanager.NewClient(cfg, mapEnv(map[string]string{secretsmanager.EnvEndpoint: srv.URL}), fastRetry(3))
	if err != nil {
		t.Fatal(err)
	}
	store, _ := secretsmanager.New(client)
	r := storetest.Record("env.example.com", "pw-endpoint-env-0001")
	if err := store.Put(context.Background(), "env", r); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Secret("regmint/env"); !ok {
		t.Error("the secret is not in the emulator named by " + secretsmanager.EnvEndpoint)
	}
}

func TestEndpointResolution(t *testing.T) {
	t.Parallel()
	const (
		svc    = "http://127.0.0.1:1001"
		all    = "http://127.0.0.1:1002"
		inCode = "http://127.0.0.1:1003"
	)
	tests := []struct {
		name string
		env  map[string]string
		base *string
		want string // "" for the SDK's default (nil BaseEndpoint)
	}{
		{"none", nil, nil, ""},
		{"service variable", map[string]string{secretsmanager.EnvEndpoint: svc}, nil, svc},
		{"global variable", map[string]string{secretsmanager.EnvEndpointAll: all}, nil, all},
		{"service variable wins over global", map[string]string{secretsmanager.EnvEndpoint: svc, secretsmanager.EnvEndpointAll: all}, nil, svc},
		{"service variable wins over config", map[string]string{secretsmanager.EnvEndpoint: svc}, aws.String(inCode), svc},
		{"config wins over global", map[string]string{secretsmanager.EnvEndpointAll: all}, aws.String(inCode), inCode},
		{"variables ignored", map[string]string{secretsmanager.EnvEndpoint: svc, secretsmanager.EnvEndpointAll: all, secretsmanager.EnvIgnoreEndpoints: "true"}, nil, ""},
		{"variables ignored, config kept", map[string]string{secretsmanager.EnvEndpoint: svc, secretsmanager.EnvIgnoreEndpoints: "TRUE"}, aws.String(inCode), inCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := aws.Config{Region: "us-east-1", Credentials: smtest.Key{AccessKeyID: "id", SecretAccessKey: "key"}.Provider(), BaseEndpoint: tt.base}
			c, err := secretsmanager.NewClient(cfg, mapEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(c.Options().BaseEndpoint); got != tt.want {
				t.Errorf("BaseEndpoint = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewClientErrors(t *testing.T) {
	t.Parallel()
	creds := smtest.Key{AccessKeyID: "id", SecretAccessKey: "key"}.Provider()
	tests := []struct {
		name    string
		cfg     aws.Config
		env     map[string]string
		wantMsg string
		notMsg  string
	}{
		{"no region", aws.Config{Credentials: creds}, nil, "no AWS region", ""},
		{"no credentials", aws.Config{Region: "us-east-1"}, nil, "no AWS credentials", ""},
		{"endpoint not a URL", aws.Config{Region: "us-east-1", Credentials: creds}, map[string]string{secretsmanager.EnvEndpoint: "localhost:4566"}, `AWS_ENDPOINT_URL_SECRETS_MANAGER "localhost:4566" is not an http or https URL`, ""},
		{"endpoint with a password", aws.Config{Region: "us-east-1", Credentials: creds}, map[string]string{secretsmanager.EnvEndpointAll: "https://u:hunter2-password@example.com"}, "must not hold a user name or password", "hunter2"},
		{"bad endpoint with a password", aws.Config{Region: "us-east-1", Credentials: creds}, map[string]string{secretsmanager.EnvEndpointAll: "ftp://u:hunter2-password@example.com"}, "AWS_ENDPOINT_URL is not an http", "hunter2"},
	}
	for _, tt := range tests {
		_, err := secretsmanager.NewClient(tt.cfg, mapEnv(tt.env))
		if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.wantMsg)
			continue
		}
		if tt.notMsg != "" && strings.Contains(err.Error(), tt.notMsg) {
			t.Errorf("%s: error %q shows the password", tt.name, err)
		}
	}
}

// TestUnsafeLogModesOff: log modes that would print a request (session
// token), a body (secret value) or the canonical request stay off.
func TestUnsafeLogModesOff(t *testing.T) {
	t.Parallel()
	srv := smtest.New()
	t.Cleanup(srv.Close)
	c, err := secretsmanager.NewClient(srv.Config(), noEnv, func(o *sm.Options) {
		o.ClientLogMode = aws.LogSigning | aws.LogRequest | aws.LogRequestWithBody | aws.LogResponseWithBody | aws.LogRetries | aws.LogResponse
	})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Options().ClientLogMode
	if got.IsSigning() || got.IsRequest() || got.IsRequestWithBody() || got.IsResponseWithBody() || got.IsRequestEventMessage() || got.IsResponseEventMessage() {
		t.Errorf("ClientLogMode %b keeps an unsafe mode", got)
	}
	if !got.IsRetries() || !got.IsResponse() {
		t.Errorf("ClientLogMode %b dropped a safe mode", got)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name       string
		env        map[string]string
		wantRegion string
		wantToken  string
		wantErr    []string
	}{
		{"lambda", map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key", "AWS_SESSION_TOKEN": "tok"}, "eu-west-1", "tok", nil},
		{"default region", map[string]string{"AWS_DEFAULT_REGION": "ap-east-1", "AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"}, "ap-east-1", "", nil},
		{"nothing", nil, "", "", []string{"AWS_REGION is not set", "AWS_ACCESS_KEY_ID is not set", "AWS_SECRET_ACCESS_KEY is not set"}},
		{"no secret key", map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "id"}, "", "", []string{"AWS_SECRET_ACCESS_KEY is not set"}},
	}
	for _, tt := range tests {
		cfg, err := secretsmanager.ConfigFromEnv(mapEnv(tt.env))
		if len(tt.wantErr) > 0 {
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %v, want it to say %q", tt.name, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil || cfg.Region != tt.wantRegion || creds.AccessKeyID != "id" || creds.SecretAccessKey != "key" || creds.SessionToken != tt.wantToken {
			t.Errorf("%s: region %q, credentials %s/%v, %v", tt.name, cfg.Region, creds.AccessKeyID, creds.SessionToken == tt.wantToken, err)
		}
	}
}

// TestConfigFromEnvAgainstEmulator: the environment a Lambda function gets
// (keys, region, endpoint) is enough to reach the store.
func TestConfigFromEnvAgainstEmulator(t *testing.T) {
	t.Parallel()
	srv := smtest.New()
	t.Cleanup(srv.Close)
	k := srv.Key()
	getenv := mapEnv(map[string]string{
		"AWS_REGION": srv.Region, "AWS_ACCESS_KEY_ID": k.AccessKeyID, "AWS_SECRET_ACCESS_KEY": k.SecretAccessKey,
		"AWS_SESSION_TOKEN": k.SessionToken, secretsmanager.EnvEndpoint: srv.URL,
	})
	cfg, err := secretsmanager.ConfigFromEnv(getenv)
	if err != nil {
		t.Fatal(err)
	}
	client, err := secretsmanager.NewClient(cfg, getenv)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := secretsmanager.New(client)
	if err := store.Put(context.Background(), "from-env", storetest.Record("e.example.com", "pw-from-env-00001")); err != nil {
		t.Fatal(err)
	}
}
