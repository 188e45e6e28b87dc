package swrtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/regmint/regmint/core/registrytest"
)

// Account is a generated Huawei Cloud account (domain) with one IAM user,
// the user's password and permanent access key, and a project per region.
// Every secret is random, made when the account is.
type Account struct {
	// DomainName and DomainID name the account ("iam-domain").
	DomainName, DomainID string
	// UserName, UserID and Password are the IAM user's.
	UserName, UserID, Password string
	// AK and SK are the user's permanent access key pair. Generated AKs
	// start with "swrtest" and are lowercase: they cannot be mistaken for
	// real keys.
	AK, SK string
	// Projects maps region to project id.
	Projects map[string]string

	denied bool // SWR calls answer 403
}

// Secrets returns the account's secret values (password, SK), for leak
// checks.
func (a *Account) Secrets() []string { return []string{a.Password, a.SK} }

// AccountOption configures a new account.
type AccountOption func(*Account)

// InRegions gives the account projects in exactly these regions (default:
// every region of the server). With none, the account has no project at all.
func InRegions(regions ...string) AccountOption {
	return func(a *Account) {
		a.Projects = map[string]string{}
		for _, r := range regions {
			a.Projects[r] = randHex(16)
		}
	}
}

// Denied makes every SWR call of the account answer 403: a user without SWR
// permissions.
func Denied() AccountOption { return func(a *Account) { a.denied = true } }

// NewAccount generates an account.
func (s *Server) NewAccount(opts ...AccountOption) *Account {
	a := &Account{
		DomainName: "swrtest-domain-" + randHex(4),
		DomainID:   randHex(16),
		UserName:   "swrtest-user-" + randHex(4),
		UserID:     randHex(16),
		Password:   "swrtest-pw-" + randHex(12),
		AK:         "swrtest" + randHex(8),
		SK:         "swrtest-sk-" + randHex(20),
		Projects:   map[string]string{},
	}
	for _, r := range s.regions {
		a.Projects[r] = randHex(16)
	}
	for _, o := range opts {
		o(a)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = append(s.accounts, a)
	s.users[a.DomainName+"/"+a.UserName] = a
	s.keys[a.AK] = &accessKey{ak: a.AK, sk: a.SK, acct: a, identity: userIdentity(a)}
	return a
}

// accessKey is a permanent or temporary access key pair.
type accessKey struct {
	ak, sk        string
	securityToken string    // temporary keys only
	expires       time.Time // zero: permanent
	acct          *Account
	identity      string // the IAM identity the key acts as
	deleted       bool
}

// userIdentity is the identity of the account's IAM user.
func userIdentity(a *Account) string { return "user:" + a.UserID }

// DeleteAccessKey deletes an access key: requests signed with it are
// refused, and the shared long-term login derived from it stops working.
func (s *Server) DeleteAccessKey(ak string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[ak]; ok {
		k.deleted = true
	}
}

// TemporaryKeys issues a temporary access key pair with its security token
// for the account, valid for ttl, as IAM's securitytokens API does.
func (s *Server) TemporaryKeys(a *Account, ttl time.Duration) (ak, sk, securityToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.newTempKey(a, userIdentity(a), ttl)
	return k.ak, k.sk, k.securityToken
}

func (s *Server) newTempKey(a *Account, identity string, ttl time.Duration) *accessKey {
	k := &accessKey{
		ak:            "swrtesttmp" + randHex(8),
		sk:            "swrtest-tsk-" + randHex(20),
		securityToken: "swrtest-st-" + randHex(32),
		expires:       s.now().Add(ttl),
		acct:          a,
		identity:      identity,
	}
	s.keys[k.ak] = k
	s.remember(k.sk, k.securityToken)
	return k
}

// RevokeTokens revokes every IAM token of the account, as a password change
// does.
func (s *Server) RevokeTokens(a *Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for v, t := range s.tokens {
		if t.acct == a {
			delete(s.tokens, v)
		}
	}
}

// token is an IAM token.
type token struct {
	acct      *Account
	identity  string // the IAM identity the token acts as
	projectID string // "" for an unscoped token
	region    string
	expires   time.Time
	methods   []string
}

// Instance is an SWR Enterprise instance with its registry.
type Instance struct {
	ID, Name, Region, ProjectID string
	// Registry is the instance's registry; Registry.Host is its access
	// address.
	Registry *registrytest.Server

	acct *Account
}

// NewInstance creates an Enterprise instance of the account in region (which
// must be one of the account's projects).
func (s *Server) NewInstance(a *Account, region string) *Instance {
	pid, ok := a.Projects[region]
	if !ok {
		panic(fmt.Sprintf("swrtest: account %s has no project in region %s", a.DomainName, region))
	}
	s.mu.Lock()
	s.instanceSeq++
	in := &Instance{
		ID:        fmt.Sprintf("%s-%s-%s-%s-%s", randHex(4), randHex(2), randHex(2), randHex(2), randHex(6)),
		Name:      fmt.Sprintf("swrtest-instance-%d", s.instanceSeq),
		Region:    region,
		ProjectID: pid,
		acct:      a,
	}
	s.mu.Unlock()
	in.Registry = registrytest.New(func(u, p string) bool { return s.checkInstanceLogin(in.ID, u, p) })
	s.mu.Lock()
	s.instances[in.ID] = in
	s.mu.Unlock()
	return in
}

// regCred is a registry login the emulator minted.
type regCred struct {
	user, password string
	expires        time.Time
	scope          string // instance id, or region for the shared edition
}

// ltCred is an Enterprise long-term credential.
type ltCred struct {
	regCred
	id, name string
	created  time.Time
	creator  string // the identity that created it
}

// LongTermCredentials returns the names of the instance's long-term
// credentials that exist.
func (s *Server) LongTermCredentials(in *Instance) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.ltCreds {
		if c.scope == in.ID {
			out = append(out, c.name)
		}
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
