package tcr

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/regmint/regmint/core"
)

// attempt records what one HTTP exchange got to, for the retry decision:
// whether the request was written in full (if not, the server cannot have
// acted on it) and the HTTP status answered. The SDK reports neither (it
// turns a 5xx with a non-JSON body into ClientError.ParseJsonError).
type attempt struct {
	wrote  atomic.Bool
	status atomic.Int32
	// tooLarge holds the *core.BodyLimitError of an answer over the
	// limit: the SDK keeps only its text, under a code that says nothing.
	tooLarge atomic.Pointer[core.BodyLimitError]
}

type attemptKey struct{}

// withAttempt returns a context that records into a new attempt.
func withAttempt(ctx context.Context) (context.Context, *attempt) {
	a := &attempt{}
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				a.wrote.Store(true)
			}
		},
	})
	return context.WithValue(ctx, attemptKey{}, a), a
}

// recordingTransport notes each response's status in the request's
// attempt.
type recordingTransport struct{ base http.RoundTripper }

func (t recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	a, ok := r.Context().Value(attemptKey{}).(*attempt)
	if !ok {
		return resp, err
	}
	a.noteTooLarge(err)
	if resp != nil {
		a.status.Store(int32(resp.StatusCode))
		resp.Body = watchedBody{ReadCloser: resp.Body, a: a}
	}
	return resp, err
}

func (a *attempt) noteTooLarge(err error) {
	var le *core.BodyLimitError
	if errors.As(err, &le) {
		a.tooLarge.Store(le)
	}
}

// watchedBody notes in its attempt a read that failed at the size limit.
type watchedBody struct {
	io.ReadCloser
	a *attempt
}

func (b watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.a.noteTooLarge(err)
	}
	return n, err
}
