package smtest

import (
	"encoding/json"
	"fmt"
)

// maxBatchIDs is the most secrets one BatchGetSecretValue may name in
// SecretIdList.
const maxBatchIDs = 20

type batchGetIn struct {
	SecretIdList []string
	Filters      []json.RawMessage
	MaxResults   *int32
	NextToken    *string
}

type secretValueEntry struct {
	ARN           string
	Name          string
	VersionId     string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"`
	VersionStages []string
	CreatedDate   json.Number
}

type batchError struct {
	SecretId  string
	ErrorCode string
	Message   string
}

type batchGetOut struct {
	SecretValues []secretValueEntry
	Errors       []batchError `json:",omitempty"`
}

// batchGetSecretValue answers BatchGetSecretValue for a SecretIdList (the
// form regmint uses; Filters are refused as not implemented): the
// AWSCURRENT value of each secret found, and an entry in Errors for each
// one that is not (ResourceNotFoundException) or is scheduled for deletion
// (InvalidRequestException), as the service answers; the call itself
// succeeds.
func (s *Server) batchGetSecretValue(body []byte) (any, *apiError) {
	var in batchGetIn
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	switch {
	case len(in.SecretIdList) > 0 && len(in.Filters) > 0, len(in.SecretIdList) == 0 && len(in.Filters) == 0:
		return nil, serviceErr(CodeInvalidParameter, "You must include Filters or SecretIdList, but not both.")
	case len(in.Filters) > 0:
		return nil, serviceErr(CodeInvalidRequest, "smtest: BatchGetSecretValue with Filters is not emulated.")
	case len(in.SecretIdList) > maxBatchIDs:
		return nil, serviceErr(CodeInvalidParameter, fmt.Sprintf("SecretIdList can contain at most %d secrets.", maxBatchIDs))
	case in.MaxResults != nil:
		return nil, serviceErr(CodeInvalidParameter, "MaxResults can be used only with Filters.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := batchGetOut{SecretValues: []secretValueEntry{}}
	for _, id := range in.SecretIdList {
		sec, e := s.liveSecretLocked(id)
		if e == nil {
			if v := sec.stageOwner(StageCurrent); v != nil {
				ent := secretValueEntry{ARN: sec.arn, Name: sec.name, VersionId: v.id,
					VersionStages: append([]string(nil), v.stages...), CreatedDate: epoch(v.created)}
				if v.binary != nil {
					ent.SecretBinary = v.binary
				} else {
					val := v.value
					ent.SecretString = &val
				}
				out.SecretValues = append(out.SecretValues, ent)
				continue
			}
			e = serviceErr(CodeResourceNotFound, fmt.Sprintf(messageStageNotFoundFormat, StageCurrent))
		}
		out.Errors = append(out.Errors, batchError{SecretId: id, ErrorCode: e.code, Message: e.message})
	}
	return out, nil
}
