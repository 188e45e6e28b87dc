package tcrtest

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Key is an access key the emulator accepts: a SecretId and SecretKey, and
// for temporary keys a session token (sent as X-TC-Token) and an expiry.
type Key struct {
	ID     string
	Secret string
	// Token is the session token of a temporary key; empty for permanent
	// keys.
	Token string
	// Expires is when a temporary key stops working; zero for permanent
	// keys.
	Expires time.Time
}

type key struct {
	id, secret, token string
	expires           time.Time // zero: permanent
	only              map[string]bool
}

// KeyOption restricts a key.
type KeyOption func(*key)

// OnlyInstances limits a key's permission to the named instances: calls
// about any other instance, and DescribeInstances listings of them, are
// refused with UnauthorizedOperation. With no ids the key may do nothing
// on TCR.
func OnlyInstances(ids ...string) KeyOption {
	return func(k *key) {
		k.only = map[string]bool{}
		for _, id := range ids {
			k.only[id] = true
		}
	}
}

// AddKey creates a permanent access key with fresh random values.
func (s *Server) AddKey(opts ...KeyOption) Key {
	k := &key{id: "TESTID" + randomAlnum(26), secret: randomAlnum(32)}
	for _, o := range opts {
		o(k)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k.id] = k
	return k.public()
}

// AddSessionKey creates a temporary access key with a session token that
// expires ttl from the emulator's current time, as STS would issue.
func (s *Server) AddSessionKey(ttl time.Duration, opts ...KeyOption) Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.newSessionKeyLocked(ttl)
	for _, o := range opts {
		o(k)
	}
	return k.public()
}

func (s *Server) newSessionKeyLocked(ttl time.Duration) *key {
	k := &key{
		id:      "TESTTMP" + randomAlnum(25),
		secret:  randomAlnum(32),
		token:   randomAlnum(96),
		expires: s.nowLocked().Add(ttl).Truncate(time.Second),
	}
	s.keys[k.id] = k
	return k
}

// RemoveKey deletes a key: later requests signed with it fail with
// AuthFailure.SecretIdNotFound.
func (s *Server) RemoveKey(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, id)
}

func (k *key) public() Key {
	return Key{ID: k.id, Secret: k.secret, Token: k.token, Expires: k.expires}
}

func (k *key) allowed(instanceID string) bool { return k.only == nil || k.only[instanceID] }

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random letters and digits.
func randomAlnum(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// randomHex returns n random lowercase hex digits.
func randomHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

// newUUID returns a random UUID-shaped id, as Tencent Cloud request ids
// are.
func newUUID() string {
	h := randomHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
