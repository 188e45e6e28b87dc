package ssmtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/regmint/regmint/core/config/ssmtest"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

func randomKey(t *testing.T, session bool) smtest.Key {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(b)
	k := smtest.Key{AccessKeyID: "SSMTEST" + strings.ToUpper(h[:13]), SecretAccessKey: h[13:]}
	if session {
		k.SessionToken = "session-" + h
	}
	return k
}

func client(s *ssmtest.Server, k smtest.Key) *ssm.Client {
	return ssm.NewFromConfig(aws.Config{Region: s.Region, Credentials: k.Provider(), BaseEndpoint: aws.String(s.URL)})
}

func TestGetParameter(t *testing.T) {
	t.Parallel()
	key := randomKey(t, true)
	s := ssmtest.New("us-east-1", key)
	t.Cleanup(s.Close)
	s.Put("/regmint/config", "targets: []\n")
	ctx := context.Background()

	out, err := client(s, key).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regmint/config"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Parameter.Value); got != "targets: []\n" || out.Parameter.Type != types.ParameterTypeSecureString {
		t.Errorf("parameter %q (%s)", got, out.Parameter.Type)
	}
	out, err = client(s, key).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regmint/config")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Parameter.Value); got == "targets: []\n" {
		t.Error("a SecureString came back in clear without WithDecryption")
	}

	var nf *types.ParameterNotFound
	if _, err := client(s, key).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/missing")}); !errors.As(err, &nf) {
		t.Errorf("missing parameter: %v, want ParameterNotFound", err)
	}
	if _, err := client(s, randomKey(t, true)).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regmint/config")}); err == nil || !strings.Contains(err.Error(), "UnrecognizedClient") {
		t.Errorf("another key: %v, want UnrecognizedClientException", err)
	}
	forged := key
	forged.SecretAccessKey = strings.Repeat("x", len(key.SecretAccessKey))
	if _, err := client(s, forged).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/regmint/config")}); err == nil || !strings.Contains(err.Error(), "InvalidSignature") {
		t.Errorf("wrong secret key: %v, want InvalidSignatureException", err)
	}
	if got := s.Calls(); got != 5 {
		t.Errorf("Calls = %d, want 5", got)
	}
}
