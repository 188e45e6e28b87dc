package smtest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// keyPrefix starts every generated access key id. Real AWS key ids start
// with AKIA or ASIA; these do not, so secret scanners and people can tell
// them apart.
const keyPrefix = "SMTEST"

// Key is an access key the server accepts.
type Key struct {
	AccessKeyID     string
	SecretAccessKey string
	// SessionToken is set for temporary keys; requests signed with such a
	// key must carry it in X-Amz-Security-Token.
	SessionToken string
}

// Credentials returns the key as SDK credentials.
func (k Key) Credentials() aws.Credentials {
	return aws.Credentials{
		AccessKeyID:     k.AccessKeyID,
		SecretAccessKey: k.SecretAccessKey,
		SessionToken:    k.SessionToken,
		Source:          "smtest",
	}
}

// Provider returns a credentials provider that always answers the key.
func (k Key) Provider() aws.CredentialsProvider {
	c := k.Credentials()
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return c, nil })
}

// Secrets returns the key's secret parts (secret key and session token),
// for leak checks.
func (k Key) Secrets() []string {
	if k.SessionToken == "" {
		return []string{k.SecretAccessKey}
	}
	return []string{k.SecretAccessKey, k.SessionToken}
}

// AddKey adds a permanent access key (no session token) and returns it.
func (s *Server) AddKey() Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addKeyLocked(false)
}

// AddSessionKey adds a temporary access key (with a session token) and
// returns it.
func (s *Server) AddSessionKey() Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.addKeyLocked(true)
}

// RemoveKey makes the server refuse the key with UnrecognizedClientException
// from now on.
func (s *Server) RemoveKey(accessKeyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, accessKeyID)
}

func (s *Server) addKey(session bool) *Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addKeyLocked(session)
}

func (s *Server) addKeyLocked(session bool) *Key {
	k := &Key{
		AccessKeyID:     keyPrefix + randomBase32(14),
		SecretAccessKey: base64.RawStdEncoding.EncodeToString(randomBytes(30)),
	}
	if session {
		k.SessionToken = "smtest-session/" + base64.RawStdEncoding.EncodeToString(randomBytes(96))
	}
	s.keys[k.AccessKeyID] = k
	return k
}

func (s *Server) lookupKey(id string) (Key, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return Key{}, false
	}
	return *k, true
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never returns an error
	return b
}

func randomBase32(n int) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(n))[:n]
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
