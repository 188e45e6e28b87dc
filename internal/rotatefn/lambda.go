package rotatefn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/regmint/regmint/core/rotation"
)

// initTimeout bounds the cold start's work (reading the config from SSM).
const initTimeout = 30 * time.Second

// Summary is what an invocation answers: the counts of the pass.
type Summary struct {
	Targets            int    `json:"targets"`
	Rotated            int    `json:"rotated"`
	Skipped            int    `json:"skipped"`
	Failed             int    `json:"failed"`
	MinSecondsToExpiry *int64 `json:"min_seconds_to_expiry,omitempty"`
}

func summarize(rep *rotation.Report) Summary {
	s := Summary{Targets: len(rep.Results)}
	s.Rotated, s.Skipped, s.Failed = rep.Counts()
	if min, ok := rep.MinSecondsToExpiry(); ok {
		s.MinSecondsToExpiry = &min
	}
	return s
}

// Handle is the Lambda handler for a scheduled event (SAM Type: Schedule
// delivers an EventBridge event): one rotation pass within the
// invocation's deadline. The error, a *rotation.FailedError, names every
// failed target after all the others are done.
func (r *rotator) Handle(ctx context.Context, ev events.EventBridgeEvent) (Summary, error) {
	attrs := []slog.Attr{slog.String("event_id", ev.ID), slog.String("detail_type", ev.DetailType), slog.String("source", ev.Source)}
	if !ev.Time.IsZero() {
		attrs = append(attrs, slog.Time("event_time", ev.Time))
	}
	if dl, ok := ctx.Deadline(); ok {
		attrs = append(attrs, slog.Time("deadline", dl))
	}
	r.log.LogAttrs(ctx, slog.LevelInfo, "invocation", attrs...)
	defer startPassProfile()()
	rep := r.engine.Run(ctx)
	return summarize(rep), rep.Err()
}

// serveLambda wires the engine once for the execution environment and
// serves invocations until Lambda stops the process. A wiring error is
// posted as the runtime's init error.
func serveLambda(ctx context.Context, p process) int {
	if n := lambdaProcs(p.getenv); n > 0 {
		runtime.GOMAXPROCS(n)
	}
	level, err := parseLevel(p.getenv(envLambdaLogLevel))
	if err != nil {
		level = slog.LevelInfo
	}
	ictx, cancel := context.WithTimeout(ctx, initTimeout)
	r, err := build(ictx, deps{getenv: p.getenv, logs: p.stdout, logLevel: level, metrics: p.stdout, inLambda: true})
	cancel()
	if err != nil {
		newLogger(p.stdout, slog.LevelError).LogAttrs(ctx, slog.LevelError, "init", slog.String("error", err.Error()))
		if perr := postInitError(ctx, p.getenv(envRuntimeAPI), err); perr != nil {
			fmt.Fprintf(p.stderr, "regmint rotate: %v\n", perr)
		}
		return 1
	}
	lambda.Start(r.Handle) // never returns
	return 1
}

// postInitError reports a failed initialisation to the Runtime API, as a
// custom runtime must before it exits.
func postInitError(ctx context.Context, api string, cause error) error {
	body, err := json.Marshal(map[string]any{"errorMessage": cause.Error(), "errorType": "ConfigError"})
	if err != nil {
		return err
	}
	url := "http://" + api + "/2018-06-01/runtime/init/error"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post init error: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigInvalid")
	// The Runtime API is link-local: never through a proxy.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post init error: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("post init error: the Runtime API answered HTTP %d", resp.StatusCode)
	}
	return nil
}
