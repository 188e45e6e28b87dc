// Package rotation keeps registry credentials fresh in secrets stores: the
// engine behind the scheduled function (functions/rotate).
//
// A Config (YAML or JSON, one schema) lists targets: what to mint (a
// core.Target), where the cloud credentials come from (a Secrets Manager
// secret, or the vendor's environment variables for local runs) and where the
// credential goes (one or more destinations, each a store kind and a ref).
// Parse and Loader validate the whole document up front; secrets written in
// the document are refused.
//
// Engine.Run makes one pass. For each target it reads what every destination
// holds (metadata only), decides with Decide whether to mint (missing, config
// changed, close to expiry, or a long-term token due for rotation), mints
// through the injected IssuerFactory, verifies the new credential against the
// registry, writes it to every destination, and only then revokes the
// long-term token two generations back (the stored credential's
// PreviousTokenID). A credential that fails verification is never stored; a
// store failure in one destination does not stop the others; one target's
// failure never stops another. Targets run concurrently under a bounded pool,
// a per-provider rate limit, a per-target timeout and the invocation's
// deadline minus a margin.
//
// What is never done: a credential that fails verification is never
// stored (one whose check was inconclusive, the registry being unreachable,
// is stored with a warning unless the target sets require-verified); a
// long-term token is never rotated while a destination cannot be read; a
// token that is the current or previous value of any destination (or may be,
// where a write failed and could not be checked) is never revoked; a new
// long-term token that ends up stored nowhere is revoked at once rather than
// left live untracked.
//
// Two runs that overlap (two invocations, or a cron run beside the Lambda)
// are handled by re-reading every destination right before writing: if it
// changed since the first read, the run discards (and revokes) what it minted
// and reports the target superseded. A window remains between that re-read
// and the write, since the stores offer no compare-and-swap; the function is
// deployed with ReservedConcurrentExecutions: 1 so that invocations do not
// overlap in the first place.
//
// The Report says per target what happened (minted, fresh, failed,
// superseded) and why, renders as text for local runs, and as CloudWatch
// embedded metric format (EMF) lines for alarms. Nothing here ever logs,
// prints or returns a secret.
package rotation
