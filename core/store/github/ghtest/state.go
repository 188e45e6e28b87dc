package ghtest

import (
	"crypto/rand"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/nacl/box"
)

// Scope names where secrets and variables live: a repository, one of its
// environments, or an organization.
type Scope struct {
	// Repository is "owner/name" for repository and environment scopes.
	Repository string
	// Environment is set for an environment scope.
	Environment string
	// Organization is set for an organization scope.
	Organization string
}

// Repo is the scope of a repository ("owner/name").
func Repo(fullName string) Scope { return Scope{Repository: fullName} }

// Env is the scope of an environment of a repository.
func Env(fullName, env string) Scope { return Scope{Repository: fullName, Environment: env} }

// Org is the scope of an organization.
func Org(login string) Scope { return Scope{Organization: login} }

// key identifies the scope; GitHub names are case-insensitive.
func (sc Scope) key() string {
	return strings.ToLower(sc.Repository + "\x00" + sc.Environment + "\x00" + sc.Organization)
}

// String renders the scope for messages.
func (sc Scope) String() string {
	switch {
	case sc.Organization != "":
		return "organization " + sc.Organization
	case sc.Environment != "":
		return "environment " + sc.Environment + " of " + sc.Repository
	default:
		return "repository " + sc.Repository
	}
}

// Secret is a snapshot of a secret as the server decrypted it.
type Secret struct {
	Name string
	// Value is the decrypted plaintext. Secret.
	Value string
	// KeyID is the id of the public key the value was sealed to.
	KeyID string
	// Visibility and SelectedRepositoryIDs are set for organization
	// secrets.
	Visibility            string
	SelectedRepositoryIDs []int64
	CreatedAt, UpdatedAt  time.Time
}

// Variable is a snapshot of an Actions variable.
type Variable struct {
	Name, Value           string
	Visibility            string
	SelectedRepositoryIDs []int64
	CreatedAt, UpdatedAt  time.Time
}

type repo struct {
	id       int64
	fullName string
	owner    string
	envs     map[string]string // lower-case name -> name
}

type keyPair struct {
	id        string
	pub, priv *[32]byte
}

type scopeState struct {
	key       keyPair
	secrets   map[string]*Secret   // by upper-case name
	variables map[string]*Variable // by upper-case name
}

// AddRepo adds a repository ("owner/name") and returns its id; adding it
// again returns the same id.
func (s *Server) AddRepo(fullName string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addRepoLocked(fullName).id
}

func (s *Server) addRepoLocked(fullName string) *repo {
	k := strings.ToLower(fullName)
	if r, ok := s.repos[k]; ok {
		return r
	}
	owner, _, _ := strings.Cut(fullName, "/")
	s.nextID++
	r := &repo{id: s.nextID, fullName: fullName, owner: owner, envs: map[string]string{}}
	s.repos[k] = r
	return r
}

// AddEnvironment adds an environment to a repository (added too if
// missing).
func (s *Server) AddEnvironment(fullName, env string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.addRepoLocked(fullName)
	r.envs[strings.ToLower(env)] = env
}

// AddOrg adds an organization.
func (s *Server) AddOrg(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs[strings.ToLower(login)] = login
}

// existsLocked reports whether the scope's repository, environment or
// organization was added.
func (s *Server) existsLocked(sc Scope) bool {
	if sc.Organization != "" {
		_, ok := s.orgs[strings.ToLower(sc.Organization)]
		return ok
	}
	r, ok := s.repos[strings.ToLower(sc.Repository)]
	if !ok {
		return false
	}
	if sc.Environment != "" {
		_, ok = r.envs[strings.ToLower(sc.Environment)]
	}
	return ok
}

// stateLocked returns the scope's state, made (with a new key pair) on
// first use.
func (s *Server) stateLocked(sc Scope) *scopeState {
	st, ok := s.scopes[sc.key()]
	if !ok {
		st = &scopeState{key: newKeyPair(), secrets: map[string]*Secret{}, variables: map[string]*Variable{}}
		s.scopes[sc.key()] = st
	}
	return st
}

func newKeyPair() keyPair {
	pub, priv, err := box.GenerateKey(rand.Reader)
	if err != nil {
		panic("ghtest: generate key pair: " + err.Error()) // crypto/rand does not fail
	}
	return keyPair{id: randomDigits(18), pub: pub, priv: priv}
}

// PublicKeyID returns the id of the scope's current public key.
func (s *Server) PublicKeyID(sc Scope) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stateLocked(sc).key.id
}

// RotateKey replaces the scope's key pair: values sealed to the old public
// key are refused from now on.
func (s *Server) RotateKey(sc Scope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stateLocked(sc).key = newKeyPair()
}

// Secret returns a snapshot of a secret, with its decrypted value.
func (s *Server) Secret(sc Scope, name string) (Secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.stateLocked(sc).secrets[strings.ToUpper(name)]
	if !ok {
		return Secret{}, false
	}
	out := *sec
	out.SelectedRepositoryIDs = slices.Clone(sec.SelectedRepositoryIDs)
	return out, true
}

// SecretNames returns the names of the scope's secrets, sorted.
func (s *Server) SecretNames(sc Scope) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, sec := range s.stateLocked(sc).secrets {
		names = append(names, sec.Name)
	}
	slices.Sort(names)
	return names
}

// SetSecret sets a secret's value without a request, as a person editing it
// in the settings would; its update time is the server's now.
func (s *Server) SetSecret(sc Scope, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stateLocked(sc)
	s.putSecretLocked(st, name, []byte(value), st.key.id, "", nil)
}

// DeleteSecret deletes a secret without a request.
func (s *Server) DeleteSecret(sc Scope, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.stateLocked(sc).secrets, strings.ToUpper(name))
}

// Variable returns a snapshot of a variable.
func (s *Server) Variable(sc Scope, name string) (Variable, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.stateLocked(sc).variables[strings.ToUpper(name)]
	if !ok {
		return Variable{}, false
	}
	out := *v
	out.SelectedRepositoryIDs = slices.Clone(v.SelectedRepositoryIDs)
	return out, true
}

// SetVariable sets a variable without a request.
func (s *Server) SetVariable(sc Scope, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setVariableLocked(s.stateLocked(sc), name, value, "", nil)
}

// DeleteVariable deletes a variable without a request.
func (s *Server) DeleteVariable(sc Scope, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.stateLocked(sc).variables, strings.ToUpper(name))
}

// stampLocked returns a GitHub timestamp of now: UTC, whole seconds.
func (s *Server) stampLocked() time.Time { return s.nowLocked().UTC().Truncate(time.Second) }

// putSecretLocked stores a secret; it reports whether it was created.
func (s *Server) putSecretLocked(st *scopeState, name string, value []byte, keyID, visibility string, selected []int64) bool {
	now := s.stampLocked()
	k := strings.ToUpper(name)
	sec, ok := st.secrets[k]
	if !ok {
		sec = &Secret{Name: k, CreatedAt: now}
		st.secrets[k] = sec
	}
	sec.Value, sec.KeyID, sec.UpdatedAt = string(value), keyID, now
	sec.Visibility, sec.SelectedRepositoryIDs = visibility, slices.Clone(selected)
	return !ok
}

func (s *Server) setVariableLocked(st *scopeState, name, value, visibility string, selected []int64) {
	now := s.stampLocked()
	k := strings.ToUpper(name)
	v, ok := st.variables[k]
	if !ok {
		v = &Variable{Name: k, CreatedAt: now}
		st.variables[k] = v
	}
	v.Value, v.UpdatedAt = value, now
	if visibility != "" {
		v.Visibility, v.SelectedRepositoryIDs = visibility, slices.Clone(selected)
	}
}

func randomDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

func randomAlnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
