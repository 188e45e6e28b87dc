package core

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// MaxAPIBody is the largest response body regmint reads from any service it
// calls: the vendor APIs, STS, IAM, registries, Secrets Manager, SSM and
// GitHub. Their documented answers are a few KiB; a larger one is broken or
// hostile, and reading it whole would let one endpoint exhaust the memory
// of a run that serves many targets.
const MaxAPIBody = 1 << 20

// ErrResponseTooLarge is wrapped by the error of a response body read past
// its limit.
var ErrResponseTooLarge = errors.New("response body too large")

// BodyLimitError is the error of a response body read past its limit. It
// names the host that sent it (an endpoint regmint was configured with),
// never any of the body.
type BodyLimitError struct {
	Host  string
	Limit int64
}

func (e *BodyLimitError) Error() string {
	return fmt.Sprintf("the answer from %s is larger than %s: regmint stops reading there (%v)", Escape(e.Host), sizeText(e.Limit), ErrResponseTooLarge)
}

// Unwrap makes errors.Is(err, ErrResponseTooLarge) hold.
func (e *BodyLimitError) Unwrap() error { return ErrResponseTooLarge }

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// LimitBodies wraps next (http.DefaultTransport if nil) so that every
// response body it returns fails with a *BodyLimitError once more than
// limit bytes are read from it; a Content-Length over the limit fails the
// request at once.
func LimitBodies(next http.RoundTripper, limit int64) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return limitTransport{next: next, limit: limit}
}

type limitTransport struct {
	next  http.RoundTripper
	limit int64
}

func (t limitTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if err := LimitResponse(resp, t.limit); err != nil {
		return nil, err
	}
	return resp, nil
}

// Doer is an HTTP client as the AWS SDK takes one (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// LimitDoer wraps an HTTP client as LimitBodies wraps a transport.
func LimitDoer(next Doer, limit int64) Doer { return limitDoer{next: next, limit: limit} }

type limitDoer struct {
	next  Doer
	limit int64
}

func (d limitDoer) Do(r *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(r)
	if err != nil {
		return resp, err
	}
	if err := LimitResponse(resp, d.limit); err != nil {
		return nil, err
	}
	return resp, nil
}

// LimitResponse replaces resp.Body with one that fails past limit bytes.
// A declared Content-Length over the limit is an error at once, and the
// body is closed.
func LimitResponse(resp *http.Response, limit int64) error {
	host := ""
	if resp.Request != nil && resp.Request.URL != nil {
		host = resp.Request.URL.Host
	}
	if resp.ContentLength > limit {
		resp.Body.Close()
		return &BodyLimitError{Host: host, Limit: limit}
	}
	if resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &limitedBody{rc: resp.Body, left: limit, err: &BodyLimitError{Host: host, Limit: limit}}
	}
	return nil
}

// limitedBody reads at most left bytes, then fails with err if the body
// goes on.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = -1
		return n, b.err
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
