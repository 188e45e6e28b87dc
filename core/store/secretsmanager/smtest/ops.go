package smtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
)

// Limits Secrets Manager enforces.
const (
	maxNameLen   = 512
	maxValueLen  = 65536
	minTokenLen  = 32
	maxTokenLen  = 64
	minStageLen  = 1
	maxStageLen  = 256
	maxDescLen   = 2048
	namePattern  = `^[A-Za-z0-9/_+=.@-]+$`
	tokenPattern = `^[A-Za-z0-9-]+$`
)

var (
	validName  = regexp.MustCompile(namePattern)
	validToken = regexp.MustCompile(tokenPattern)
)

type createSecretIn struct {
	Name               string
	ClientRequestToken *string
	Description        *string
	KmsKeyId           *string
	SecretString       *string
	SecretBinary       []byte
}

type createSecretOut struct {
	ARN       string
	Name      string
	VersionId string `json:",omitempty"`
}

func (s *Server) createSecret(body []byte) (any, *apiError) {
	var in createSecretIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if len(in.Name) == 0 || len(in.Name) > maxNameLen || !validName.MatchString(in.Name) {
		return nil, serviceErr(CodeInvalidParameter,
			"Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!")
	}
	if in.Description != nil && len(*in.Description) > maxDescLen {
		return nil, serviceErr(CodeInvalidParameter, "Description must be at most 2048 characters.")
	}
	hasValue := in.SecretString != nil || in.SecretBinary != nil
	value, e := checkValue(in.SecretString, in.SecretBinary, false)
	if e != nil {
		return nil, e
	}
	token, e := checkToken(in.ClientRequestToken)
	if e != nil {
		return nil, e
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if sec, ok := s.secrets[in.Name]; ok {
		if !sec.deleted.IsZero() {
			return nil, serviceErr(CodeInvalidRequest,
				"You can't create this secret because a secret with this name is already scheduled for deletion.")
		}
		// A retried create (same token, same value) succeeds and does
		// nothing, as the ClientRequestToken contract says.
		if v := sec.version(token); v != nil && hasValue {
			if !v.sameData(value, in.SecretBinary) {
				return nil, serviceErr(CodeResourceExists, messageVersionIsImmutable)
			}
			return createSecretOut{ARN: sec.arn, Name: sec.name, VersionId: v.id}, nil
		}
		return nil, serviceErr(CodeResourceExists,
			fmt.Sprintf("The operation failed because the secret %s already exists.", in.Name))
	}
	sec := s.newSecretLocked(in.Name)
	if in.Description != nil {
		sec.description = *in.Description
	}
	if in.KmsKeyId != nil {
		sec.kmsKeyID = *in.KmsKeyId
	}
	s.secrets[in.Name] = sec
	out := createSecretOut{ARN: sec.arn, Name: sec.name}
	if hasValue {
		v := sec.addVersion(token, value, in.SecretBinary, s.nowLocked())
		sec.moveStage(StageCurrent, v)
		out.VersionId = v.id
	}
	return out, nil
}

type secretIDIn struct {
	SecretId string
}

type describeSecretOut struct {
	ARN                string
	Name               string
	Description        string `json:",omitempty"`
	KmsKeyId           string `json:",omitempty"`
	CreatedDate        json.Number
	LastChangedDate    json.Number
	DeletedDate        json.Number `json:",omitempty"`
	VersionIdsToStages map[string][]string
}

func (s *Server) describeSecret(body []byte) (any, *apiError) {
	var in secretIDIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, ok := s.lookupLocked(in.SecretId)
	if !ok {
		return nil, serviceErr(CodeResourceNotFound, messageSecretNotFound)
	}
	out := describeSecretOut{
		ARN:                sec.arn,
		Name:               sec.name,
		Description:        sec.description,
		KmsKeyId:           sec.kmsKeyID,
		CreatedDate:        epoch(sec.created),
		LastChangedDate:    epoch(sec.changed),
		VersionIdsToStages: sec.versionsToStages(),
	}
	if !sec.deleted.IsZero() {
		out.DeletedDate = epoch(sec.deleted)
	}
	return out, nil
}

type getSecretValueIn struct {
	SecretId     string
	VersionId    *string
	VersionStage *string
}

type getSecretValueOut struct {
	ARN           string
	Name          string
	VersionId     string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"`
	VersionStages []string
	CreatedDate   json.Number
}

func (s *Server) getSecretValue(body []byte) (any, *apiError) {
	var in getSecretValueIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, e := s.liveSecretLocked(in.SecretId)
	if e != nil {
		return nil, e
	}
	var v *version
	switch {
	case in.VersionId != nil:
		v = sec.version(*in.VersionId)
		if v == nil || (in.VersionStage != nil && !slices.Contains(v.stages, *in.VersionStage)) {
			return nil, serviceErr(CodeResourceNotFound,
				"Secrets Manager can't find the specified secret value for VersionId: "+*in.VersionId)
		}
	default:
		stage := StageCurrent
		if in.VersionStage != nil {
			stage = *in.VersionStage
		}
		if v = sec.stageOwner(stage); v == nil {
			return nil, serviceErr(CodeResourceNotFound, fmt.Sprintf(messageStageNotFoundFormat, stage))
		}
	}
	out := getSecretValueOut{
		ARN:           sec.arn,
		Name:          sec.name,
		VersionId:     v.id,
		VersionStages: append([]string(nil), v.stages...),
		CreatedDate:   epoch(v.created),
	}
	if v.binary != nil {
		out.SecretBinary = v.binary
	} else {
		val := v.value
		out.SecretString = &val
	}
	return out, nil
}

type putSecretValueIn struct {
	SecretId           string
	ClientRequestToken *string
	SecretString       *string
	SecretBinary       []byte
	VersionStages      []string
}

type putSecretValueOut struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

func (s *Server) putSecretValue(body []byte) (any, *apiError) {
	var in putSecretValueIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	value, e := checkValue(in.SecretString, in.SecretBinary, true)
	if e != nil {
		return nil, e
	}
	token, e := checkToken(in.ClientRequestToken)
	if e != nil {
		return nil, e
	}
	for _, st := range in.VersionStages {
		if len(st) < minStageLen || len(st) > maxStageLen {
			return nil, serviceErr(CodeInvalidParameter, "Invalid VersionStages: each staging label must be 1 to 256 characters.")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, e := s.liveSecretLocked(in.SecretId)
	if e != nil {
		return nil, e
	}
	if v := sec.version(token); v != nil {
		if !v.sameData(value, in.SecretBinary) {
			return nil, serviceErr(CodeResourceExists, messageVersionIsImmutable)
		}
		// Same token and same data: the request is ignored.
		return putSecretValueOut{ARN: sec.arn, Name: sec.name, VersionId: v.id, VersionStages: append([]string{}, v.stages...)}, nil
	}
	v := sec.addVersion(token, value, in.SecretBinary, s.nowLocked())
	stages := in.VersionStages
	if len(stages) == 0 {
		stages = []string{StageCurrent}
	}
	for _, st := range stages {
		sec.moveStage(st, v)
	}
	return putSecretValueOut{ARN: sec.arn, Name: sec.name, VersionId: v.id, VersionStages: append([]string{}, v.stages...)}, nil
}

type updateStageIn struct {
	SecretId            string
	VersionStage        string
	MoveToVersionId     *string
	RemoveFromVersionId *string
}

type updateStageOut struct {
	ARN  string
	Name string
}

func (s *Server) updateSecretVersionStage(body []byte) (any, *apiError) {
	var in updateStageIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if len(in.VersionStage) < minStageLen || len(in.VersionStage) > maxStageLen {
		return nil, serviceErr(CodeInvalidParameter, "Invalid VersionStage: a staging label must be 1 to 256 characters.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, e := s.liveSecretLocked(in.SecretId)
	if e != nil {
		return nil, e
	}
	owner := sec.stageOwner(in.VersionStage)
	removeFrom := ""
	if in.RemoveFromVersionId != nil {
		removeFrom = *in.RemoveFromVersionId
	}
	if in.MoveToVersionId == nil {
		if in.VersionStage == StageCurrent {
			return nil, serviceErr(CodeInvalidParameter,
				"You can't remove the staging label AWSCURRENT from a version without moving it to another version.")
		}
		if owner == nil || owner.id != removeFrom {
			return nil, serviceErr(CodeInvalidParameter, fmt.Sprintf(
				"The staging label %s is not attached to the version %s.", in.VersionStage, removeFrom))
		}
		sec.removeStage(in.VersionStage, owner)
		sec.changed = s.nowLocked()
		return updateStageOut{ARN: sec.arn, Name: sec.name}, nil
	}
	to := sec.version(*in.MoveToVersionId)
	if to == nil {
		return nil, serviceErr(CodeResourceNotFound,
			"Secrets Manager can't find the specified secret value for VersionId: "+*in.MoveToVersionId)
	}
	if owner != nil && owner != to && owner.id != removeFrom {
		return nil, serviceErr(CodeInvalidParameter, fmt.Sprintf(
			"The parameter RemoveFromVersionId doesn't match the version the staging label %s is attached to.", in.VersionStage))
	}
	sec.moveStage(in.VersionStage, to)
	sec.changed = s.nowLocked()
	return updateStageOut{ARN: sec.arn, Name: sec.name}, nil
}

// liveSecretLocked finds a secret that is not scheduled for deletion.
func (s *Server) liveSecretLocked(id string) (*secret, *apiError) {
	sec, ok := s.lookupLocked(id)
	if !ok {
		return nil, serviceErr(CodeResourceNotFound, messageSecretNotFound)
	}
	if !sec.deleted.IsZero() {
		return nil, serviceErr(CodeInvalidRequest, messageMarkedForDeletion)
	}
	return sec, nil
}

// checkValue checks a request's SecretString and SecretBinary: exactly one
// when required (at most one otherwise), within the size limit.
func checkValue(str *string, bin []byte, required bool) (string, *apiError) {
	switch {
	case str != nil && bin != nil:
		return "", serviceErr(CodeInvalidParameter,
			"You can't specify both a binary secret value and a string secret value in the same secret.")
	case required && str == nil && bin == nil:
		return "", serviceErr(CodeInvalidParameter, "You must provide either SecretString or SecretBinary.")
	case str != nil && len(*str) > maxValueLen, len(bin) > maxValueLen:
		return "", serviceErr(CodeInvalidParameter, "The secret value exceeds the maximum size of 65536 bytes.")
	}
	if str == nil {
		return "", nil
	}
	return *str, nil
}

// checkToken checks a ClientRequestToken; a request without one gets a
// random one (the SDKs always send one).
func checkToken(tok *string) (string, *apiError) {
	if tok == nil {
		return newUUID(), nil
	}
	if len(*tok) < minTokenLen || len(*tok) > maxTokenLen || !validToken.MatchString(*tok) {
		return "", serviceErr(CodeInvalidParameter,
			"Invalid ClientRequestToken: it must be 32 to 64 characters: letters, digits and hyphens.")
	}
	return *tok, nil
}
