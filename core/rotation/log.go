package rotation

import (
	"context"
	"log/slog"
)

// logResult writes the one log line of a target's run. It holds no secret:
// results never do.
func (e *Engine) logResult(ctx context.Context, res *Result) {
	level := slog.LevelInfo
	switch {
	case res.Outcome == Failed:
		level = slog.LevelError
	case res.Outcome == Superseded || len(res.Warnings) > 0:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("target", res.Target),
		slog.String("provider", string(res.Provider)),
		slog.String("token_type", string(res.TokenType)),
		slog.String("outcome", string(res.Outcome)),
		slog.String("reason", res.Reason),
	}
	if res.Registry != "" {
		attrs = append(attrs, slog.String("registry", res.Registry))
	}
	if res.HasExpiry {
		if !res.ExpiresAt.IsZero() {
			attrs = append(attrs, slog.Time("expires_at", res.ExpiresAt.UTC()))
		}
		attrs = append(attrs, slog.Int64("seconds_to_expiry", res.SecondsToExpiry))
	}
	if res.TokenID != "" {
		attrs = append(attrs, slog.String("token_id", res.TokenID))
	}
	if res.StoredCheck != nil {
		attrs = append(attrs, slog.String("stored_check", res.StoredCheck.Result.String()),
			slog.String("stored_check_detail", res.StoredCheck.Detail))
	}
	if res.Verification != nil {
		attrs = append(attrs, slog.String("verification", res.Verification.Result.String()),
			slog.String("verification_detail", res.Verification.Detail))
	}
	if len(res.Revoked) > 0 {
		attrs = append(attrs, slog.Any("revoked", res.Revoked))
	}
	if len(res.Warnings) > 0 {
		attrs = append(attrs, slog.Any("warnings", res.Warnings))
	}
	attrs = append(attrs, slog.Any("destinations", res.Destinations),
		slog.Int64("duration_ms", res.Duration.Milliseconds()))
	e.log.LogAttrs(ctx, level, "target", attrs...)
}

// logRun writes the run's summary line.
func (e *Engine) logRun(ctx context.Context, rep *Report) {
	rotated, skipped, failed := rep.Counts()
	attrs := []slog.Attr{
		slog.Int("targets", len(rep.Results)),
		slog.Int("rotated", rotated),
		slog.Int("skipped", skipped),
		slog.Int("failed", failed),
		slog.Int64("duration_ms", rep.Finished.Sub(rep.Started).Milliseconds()),
	}
	if min, ok := rep.MinSecondsToExpiry(); ok {
		attrs = append(attrs, slog.Int64("min_seconds_to_expiry", min))
	}
	if err, ok := rep.Err().(*FailedError); ok {
		attrs = append(attrs, slog.Any("failed_targets", err.Targets))
	}
	level := slog.LevelInfo
	if failed > 0 {
		level = slog.LevelError
	}
	e.log.LogAttrs(ctx, level, "run", attrs...)
}
