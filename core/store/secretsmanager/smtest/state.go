package smtest

import (
	"bytes"
	"slices"
	"strings"
	"time"
)

// Staging labels Secrets Manager moves by itself.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
)

// maxVersions is how many versions a secret keeps; beyond it the oldest
// versions without a staging label are dropped (AWS keeps 100).
const maxVersions = 100

// Version is a snapshot of one version of a secret.
type Version struct {
	ID      string
	Value   string // SecretString; secret
	Binary  []byte // SecretBinary; secret
	Stages  []string
	Created time.Time
}

// Secret is a snapshot of a secret and its versions, oldest first.
type Secret struct {
	Name        string
	ARN         string
	Description string
	KMSKeyID    string
	Versions    []Version
	// DeletionScheduled is set by ScheduleDeletion: the secret refuses
	// reads and writes, as AWS does during its recovery window.
	DeletionScheduled bool
}

// Stage returns the version that holds a staging label.
func (s Secret) Stage(stage string) (Version, bool) {
	for _, v := range s.Versions {
		if slices.Contains(v.Stages, stage) {
			return v, true
		}
	}
	return Version{}, false
}

// Current returns the AWSCURRENT version.
func (s Secret) Current() (Version, bool) { return s.Stage(StageCurrent) }

// Previous returns the AWSPREVIOUS version.
func (s Secret) Previous() (Version, bool) { return s.Stage(StagePrevious) }

// Secret returns a snapshot of the named secret.
func (s *Server) Secret(name string) (Secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		return Secret{}, false
	}
	return sec.snapshot(), true
}

// SecretNames returns the names of every secret, sorted.
func (s *Server) SecretNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.secrets))
	for n := range s.secrets {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Seed creates a secret (or adds a version to it) holding value as
// AWSCURRENT, without a request, and returns the new version id. Tests use
// it to set up secrets a program reads (e.g. cloud credentials).
func (s *Server) Seed(name, value string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if !ok {
		sec = s.newSecretLocked(name)
		s.secrets[name] = sec
	}
	v := sec.addVersion(newUUID(), value, nil, s.nowLocked())
	sec.moveStage(StageCurrent, v)
	return v.id
}

// ScheduleDeletion marks the named secret as scheduled for deletion: from
// now on it answers InvalidRequestException to reads and writes, and
// DescribeSecret shows a DeletedDate. It reports whether the secret exists.
func (s *Server) ScheduleDeletion(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.secrets[name]
	if ok {
		sec.deleted = s.nowLocked()
	}
	return ok
}

type secret struct {
	name, arn, description, kmsKeyID string
	created, changed                 time.Time
	deleted                          time.Time // zero: not scheduled for deletion
	versions                         []*version
}

type version struct {
	id      string
	value   string
	binary  []byte
	stages  []string
	created time.Time
}

func (s *Server) newSecretLocked(name string) *secret {
	now := s.nowLocked()
	return &secret{
		name:    name,
		arn:     "arn:aws:secretsmanager:" + s.Region + ":" + Account + ":secret:" + name + "-" + randomAlnum(6),
		created: now,
		changed: now,
	}
}

// lookupLocked finds a secret by name or full ARN.
func (s *Server) lookupLocked(id string) (*secret, bool) {
	if sec, ok := s.secrets[id]; ok {
		return sec, true
	}
	if strings.HasPrefix(id, "arn:") {
		for _, sec := range s.secrets {
			if sec.arn == id {
				return sec, true
			}
		}
	}
	return nil, false
}

func (sec *secret) version(id string) *version {
	for _, v := range sec.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (sec *secret) stageOwner(stage string) *version {
	for _, v := range sec.versions {
		if slices.Contains(v.stages, stage) {
			return v
		}
	}
	return nil
}

func (sec *secret) addVersion(id, value string, binary []byte, now time.Time) *version {
	v := &version{id: id, value: value, binary: bytes.Clone(binary), created: now}
	sec.versions = append(sec.versions, v)
	sec.changed = now
	sec.prune()
	return v
}

// moveStage attaches stage to v, removing it from the version that held
// it. Moving AWSCURRENT also moves AWSPREVIOUS to the version AWSCURRENT
// left, as Secrets Manager does.
func (sec *secret) moveStage(stage string, v *version) {
	old := sec.stageOwner(stage)
	if old == v {
		return
	}
	if old != nil {
		old.stages = slices.DeleteFunc(old.stages, func(s string) bool { return s == stage })
	}
	v.stages = append(v.stages, stage)
	slices.Sort(v.stages)
	if stage == StageCurrent && old != nil {
		sec.moveStage(StagePrevious, old)
	}
}

func (sec *secret) removeStage(stage string, v *version) {
	v.stages = slices.DeleteFunc(v.stages, func(s string) bool { return s == stage })
}

// prune drops the oldest versions without a staging label while there are
// more than maxVersions.
func (sec *secret) prune() {
	for len(sec.versions) > maxVersions {
		i := slices.IndexFunc(sec.versions, func(v *version) bool { return len(v.stages) == 0 })
		if i < 0 {
			return
		}
		sec.versions = slices.Delete(sec.versions, i, i+1)
	}
}

func (v *version) sameData(value string, binary []byte) bool {
	return v.value == value && bytes.Equal(v.binary, binary)
}

func (sec *secret) snapshot() Secret {
	out := Secret{
		Name:              sec.name,
		ARN:               sec.arn,
		Description:       sec.description,
		KMSKeyID:          sec.kmsKeyID,
		DeletionScheduled: !sec.deleted.IsZero(),
	}
	for _, v := range sec.versions {
		out.Versions = append(out.Versions, Version{
			ID:      v.id,
			Value:   v.value,
			Binary:  bytes.Clone(v.binary),
			Stages:  slices.Clone(v.stages),
			Created: v.created,
		})
	}
	return out
}

// versionsToStages is DescribeSecret's VersionIdsToStages: the versions
// that have a staging label.
func (sec *secret) versionsToStages() map[string][]string {
	m := map[string][]string{}
	for _, v := range sec.versions {
		if len(v.stages) > 0 {
			m[v.id] = slices.Clone(v.stages)
		}
	}
	return m
}

func randomAlnum(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := randomBytes(n)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
