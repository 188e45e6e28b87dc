package ssmget_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/regmint/regmint/core/config/ssmget"
	"github.com/regmint/regmint/core/config/ssmtest"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

func TestReadParameter(t *testing.T) {
	t.Parallel()
	keys := smtest.New()
	defer keys.Close()
	srv := ssmtest.New(keys.Region, keys.Key())
	defer srv.Close()
	srv.Put("/regmint/config", "targets: []\n")
	c := &ssmget.Client{Config: keys.Config(), Endpoint: srv.URL}
	got, err := c.ReadParameter(context.Background(), "/regmint/config")
	if err != nil || got != "targets: []\n" {
		t.Fatalf("ReadParameter = %q, %v", got, err)
	}

	_, err = c.ReadParameter(context.Background(), "/regmint/missing")
	var ae *ssmget.APIError
	if !errors.As(err, &ae) || ae.Code != "ParameterNotFound" || !strings.Contains(err.Error(), "ssm GetParameter /regmint/missing: ParameterNotFound") {
		t.Errorf("missing parameter: %v", err)
	}

	// Signed for another region: the emulator refuses the signature.
	other := keys.Config()
	other.Region = "eu-west-1"
	bad := &ssmget.Client{Config: other, Endpoint: srv.URL}
	if _, err := bad.ReadParameter(context.Background(), "/regmint/config"); !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("wrong region: %v, want the signature refused", err)
	}
	if n := srv.Calls(); n != 3 {
		t.Errorf("%d calls, want 3 (4xx answers are not retried)", n)
	}

	none := &ssmget.Client{Config: aws.Config{}, Endpoint: srv.URL}
	if _, err := none.ReadParameter(context.Background(), "/regmint/config"); err == nil {
		t.Error("no credentials: no error")
	}
}
