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
// holds, decides with Decide whether to mint (missing, config changed, close
// to expiry, or a long-term token due for rotation), mints through the
// injected IssuerFactory, verifies the new credential against the registry,
// writes it to every destination, and only then revokes the long-term token
// two generations back (the stored credential's PreviousTokenID). A
// credential that fails verification is never stored; a store failure in
// one destination does not stop the others; one target's failure never
// stops another. Targets run concurrently under a bounded pool, a
// per-provider rate limit, a per-target timeout and the invocation's
// deadline minus a margin.
//
// Decide looks at metadata alone, so a credential that still looks fresh but
// no longer works (a token revoked or a password reset behind regmint's back)
// would be kept until it expires. So when every destination is fresh and the
// target verifies, the engine also checks the stored credential against the
// registry, once per distinct credential, where the store can read it back
// (core.RecordReader: Secrets Manager and the docker config file, not GitHub
// secrets; the same one read, no extra call to the store): a definite "bad"
// (the registry refused the login) makes that destination due, reason
// "stored credential refused by the registry", and a new credential is
// minted; an inconclusive check (registry unreachable, 5xx) keeps the stored
// credential, with a warning. Result.StoredCheck reports the check.
//
// Failures between writes can leave tokens live beyond the two in use (the
// current and the previous one), and the engine cleans them up in the next
// run that gets that far. A long-term target whose destinations hold
// different tokens (a write to one failed) is caught up: the fresh token
// the others hold is copied to the lagging ones (outcome Synced), not a new
// one minted, which would keep each destination's current and previous
// token live. And every run of a long-term target whose destinations could
// all be read lists the tokens the issuer made for the target (core.
// TokenLister: those with the target's description, so each long-term
// target of an instance needs its own, which Parse checks) and revokes
// those no destination refers to, older than twice the target timeout
// plus a minute: tokens left behind by an answer lost after the vendor made
// one, by a revocation that failed, or by a run cut short between minting
// and storing.
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
// The Report says per target what happened (minted, synced, fresh, failed,
// superseded) and why, renders as text for local runs, and as CloudWatch
// embedded metric format (EMF) lines for alarms. Nothing here ever logs,
// prints or returns a secret.
package rotation
