// Package ssmget reads the rotation config from an AWS SSM parameter with
// one signed GetParameter request (JSON 1.1, SigV4 by the AWS SDK's own
// signer), without the SDK's SSM service package: that package declares
// the schemas of every SSM operation, about 0.66 MB of the bootstrap and
// their construction at every cold start, for the one call the function
// makes. ssmparam adapts the full SDK client for programs that have it.
package ssmget

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// maxAnswer bounds the answer read: a parameter holds at most 8 KB
// (advanced tier), its JSON envelope a little more.
const maxAnswer = 1 << 20

// Client reads parameters. Its zero HTTP uses http.DefaultTransport.
type Client struct {
	// Config gives the region and credentials.
	Config aws.Config
	// Endpoint overrides https://ssm.<region>.amazonaws.com (.com.cn in
	// the China regions).
	Endpoint string
	// HTTP sends the request; nil: http.DefaultClient.
	HTTP *http.Client
	// Backoff paces the retries of throttling, 5xx and transport errors.
	Backoff core.Backoff
}

var _ config.ParameterReader = (*Client)(nil)

// APIError is an error answer of SSM: its code (ParameterNotFound,
// AccessDeniedException, ThrottlingException...) and message.
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s (HTTP %d", e.Code, e.Status)
	if e.RequestID != "" {
		s += ", request id " + e.RequestID
	}
	s += ")"
	if e.Message != "" {
		s += ": " + strconv.Quote(e.Message) // text from outside, quoted
	}
	return s
}

func (e *APIError) retryable() bool {
	return e.Status >= 500 || strings.Contains(e.Code, "Throttl") || e.Code == "TooManyUpdates"
}

// ReadParameter returns the value of a String or SecureString parameter
// (decrypted). Errors name the parameter and carry SSM's code; never the
// value.
func (c *Client) ReadParameter(ctx context.Context, name string) (string, error) {
	var value string
	err := core.Retry(ctx, c.Backoff, func(err error) bool {
		var ae *APIError
		if errors.As(err, &ae) {
			return ae.retryable()
		}
		return ctx.Err() == nil && !errors.Is(err, errAnswer) && !errors.Is(err, errNoConfig)
	}, func(ctx context.Context) error {
		v, err := c.get(ctx, name)
		value = v
		return err
	})
	if err != nil {
		return "", fmt.Errorf("ssm GetParameter %s: %w", name, err)
	}
	return value, nil
}

// errAnswer marks an answer that could not be read, errNoConfig a client
// without region or credentials (neither is retried).
var (
	errAnswer   = errors.New("the answer could not be read")
	errNoConfig = errors.New("no AWS region or credentials")
)

func (c *Client) endpoint() string {
	if c.Endpoint != "" {
		return strings.TrimSuffix(c.Endpoint, "/")
	}
	host := "ssm." + c.Config.Region + ".amazonaws.com"
	if strings.HasPrefix(c.Config.Region, "cn-") {
		host += ".cn"
	}
	return "https://" + host
}

func (c *Client) get(ctx context.Context, name string) (string, error) {
	if c.Config.Credentials == nil || c.Config.Region == "" {
		return "", errNoConfig
	}
	body, err := json.Marshal(struct {
		Name           string
		WithDecryption bool
	}{name, true})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint()+"/", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetParameter")
	creds, err := c.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("AWS credentials: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ssm", c.Config.Region, time.Now()); err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxAnswer {
		return "", fmt.Errorf("%w: longer than %d bytes", errAnswer, maxAnswer)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg2    string `json:"Message"`
		}
		_ = json.Unmarshal(b, &e)
		code := e.Type
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if code == "" {
			code = http.StatusText(resp.StatusCode)
		}
		msg := e.Message
		if msg == "" {
			msg = e.Msg2
		}
		return "", &APIError{Status: resp.StatusCode, Code: code, Message: trim(msg, 512), RequestID: resp.Header.Get("X-Amzn-Requestid")}
	}
	var out struct {
		Parameter *struct{ Value *string }
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", fmt.Errorf("%w: not JSON", errAnswer)
	}
	if out.Parameter == nil || out.Parameter.Value == nil {
		return "", fmt.Errorf("%w: the answer holds no value", errAnswer)
	}
	return *out.Parameter.Value, nil
}

// trim cuts s to at most n bytes.
func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
