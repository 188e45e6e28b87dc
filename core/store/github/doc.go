// Package github keeps regmint credentials in GitHub Actions secrets, so
// that workflows log in to a registry with ${{ secrets.TCR_USERNAME }} and
// ${{ secrets.TCR_PASSWORD }} and hold no cloud keys at all. It speaks the
// REST API through google/go-github.
//
// # Where and under which names
//
// A Store writes to one scope (Config): a repository, an environment of a
// repository (readable only by jobs that name the environment, which can
// require reviewers), or an organization, with the visibility the caller
// chooses (all, private, or selected repository ids; there is no default).
// A ref is a name prefix: ref "tcr" writes the secrets TCR_REGISTRY,
// TCR_USERNAME, TCR_PASSWORD and, with Config.DockerConfig,
// TCR_DOCKER_CONFIG (a docker config.json with an "auths" entry for the
// registry), plus the variable TCR_REGMINT_META. Config.Names overrides
// any of them. Each value is sealed with libsodium's crypto_box_seal
// (nacl/box.SealAnonymous) to the scope's public key and written with its
// key id.
//
// The registry host and user name are not secret, but they are written as
// secrets too: then one "secrets." context holds the whole login, as
// docker/login-action examples expect, and one permission covers it. The
// price is that GitHub masks them in logs. A job that needs them unmasked
// (an image name in a log line) reads them from the metadata variable:
// ${{ fromJSON(vars.TCR_REGMINT_META).registry }}. No separate variables
// are written for them.
//
// # Metadata: an Actions variable
//
// GitHub never returns a secret's value, so what Store.Get returns
// (registry, user name, expiry, issue time, target fingerprint, token id,
// previous token id) is kept beside the secrets in an Actions variable of
// the same scope, as JSON:
//
//	{"regmint":1,"registry":"r.example.com","username":"u","expires_at":"2030-01-02T03:04:05Z",
//	 "issued_at":"...","fingerprint":"...","token_id":"...","previous_token_id":"...",
//	 "secrets":["TCR_REGISTRY","TCR_USERNAME","TCR_PASSWORD"]}
//
// (organization scopes add "visibility" and "selected_repository_ids").
// It holds no secret and nothing derived from one. Its limits: everyone
// who can read the repository's (or organization's) Actions variables can
// read it, and every workflow of the scope sees it as vars.<NAME>; it
// tells them which registry and user the secrets are for, and when they
// expire. Another store (Secrets Manager) could hold it instead, but then
// this store would depend on that one being configured and written; a
// variable lives and dies with the secrets it describes.
//
// Get trusts the metadata only if every secret it lists exists and was not
// updated after the variable (GitHub reports each secret's update time):
// a secret deleted or replaced by hand reads as core.ErrNotFound, and so
// does a change of the store's names or visibility, so the next run mints
// and writes everything again. Times have a resolution of one second: a
// secret changed in the same second as regmint wrote the variable is not
// noticed.
//
// # Put order and skipping
//
// Put writes the secrets first and the variable last. If it fails part
// way, the variable still describes the earlier credential while some
// secrets are newer than it, which Get reports as not found: the next run
// writes everything again. Put writes nothing when the variable already
// holds exactly the metadata it would write (same registry, user, expiry,
// issue time, fingerprint, token ids, names and visibility) and the
// secrets pass Get's checks; the rotation engine stamps every credential
// it mints with its issue time, so a new credential never looks unchanged.
//
// # Authentication and least privilege
//
// A Client authenticates as a GitHub App installation (preferred: App) or
// with a fine-grained personal access token (ClientConfig.Token). For an
// app it signs a JWT (RS256, nine minutes) with the app's private key,
// exchanges it for an installation token (POST
// /app/installations/{id}/access_tokens) on first use, and reuses that
// token until five minutes before it expires; a token GitHub refuses (401)
// is replaced once. Tokens and keys are Secret values, which never show in
// fmt, slog or JSON output; errors carry GitHub's status, message and
// request id, never a request, a header or a value.
//
// The permissions to grant, and nothing more (install the app on, or
// scope the token to, the named repositories only):
//
//   - repository secrets: repository permissions "Secrets: Read and write"
//     and "Variables: Read and write";
//   - environment secrets: repository permission "Environments: Read and
//     write" (GitHub's REST reference names it for environment secrets and
//     variables) and "Secrets: Read and write" (older references name it
//     for the environment's public key);
//   - organization secrets: organization permissions "Secrets: Read and
//     write" and "Variables: Read and write".
//
// "Metadata: Read-only" comes with every app and token.
//
// # Calls, rate limits and retries
//
// Get makes one call for the variable and one per secret (three or four);
// Put makes those and, when something changed, one per secret and one for
// the variable, plus one per Client and scope for the public key (cached
// for the Client's life, read again once if GitHub refuses a value sealed
// to it, which it does after a key rotation). Rate limits (403 or 429 with
// X-RateLimit-Remaining: 0 and X-RateLimit-Reset, or with Retry-After) are
// waited for, at most ClientConfig.MaxRateLimitWait and never past the
// context's deadline; 5xx answers and transport errors are retried with
// core.Retry; other 4xx answers are final, with a hint for 401, 403 and
// 404 naming what to check.
//
// # GitHub Enterprise Server
//
// ClientConfig.BaseURL names the server ("https://ghe.example.com";
// "/api/v3/" is added as go-github's WithEnterpriseURLs does). Environment
// secrets use the /repos/{owner}/{repo}/environments/{name}/secrets paths,
// which older servers may lack.
//
// Package ghtest is a loopback emulator of the endpoints used, which
// decrypts every secret it receives, for tests and the demo.
package github
