package tcr

import (
	"context"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// attempt records what one HTTP exchange got to, for the retry decision:
// whether the request was written in full (if not, the server cannot have
// acted on it) and the HTTP status answered. The SDK reports neither (it
// turns a 5xx with a non-JSON body into ClientError.ParseJsonError).
type attempt struct {
	wrote  atomic.Bool
	status atomic.Int32
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
	if a, ok := r.Context().Value(attemptKey{}).(*attempt); ok && resp != nil {
		a.status.Store(int32(resp.StatusCode))
	}
	return resp, err
}
