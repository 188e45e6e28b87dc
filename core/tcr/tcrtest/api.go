package tcrtest

import (
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// serveAPI is the TCR API endpoint: POST / with a JSON body, the action in
// X-TC-Action, signed with TC3-HMAC-SHA256 for service "tcr".
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("X-TC-Action")
	s.serveCall(w, r, action, func(requestID string) []byte {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return errorBody(errf(codeInvalidParameter, "The request body could not be read."), requestID)
		}
		fields, e := s.handleAPI(r, action, body)
		if e != nil {
			return errorBody(e, requestID)
		}
		return successBody(fields, requestID)
	})
}

func (s *Server) handleAPI(r *http.Request, action string, body []byte) (any, *apiErr) {
	if e := checkEnvelope(r, APIVersion); e != nil {
		return nil, e
	}
	k, e := s.tc3Check(r, body, "tcr")
	if e != nil {
		return nil, e
	}
	region := r.Header.Get("X-TC-Region")
	if region == "" {
		return nil, errf(codeMissingParameter, "The request is missing a required parameter `Region`.")
	}
	switch action {
	case "CreateInstanceToken":
		return s.createInstanceToken(k, region, body)
	case "DeleteInstanceToken":
		return s.deleteInstanceToken(k, region, body)
	case "DescribeInstanceToken":
		return s.describeInstanceToken(k, region, body)
	case "DescribeInstances":
		return s.describeInstances(k, region, body)
	}
	return nil, errf(codeInvalidAction, "The action `%s` is not supported by tcrtest.", action)
}

// checkEnvelope checks what every call shares: POST, a JSON body and the
// API version.
func checkEnvelope(r *http.Request, version string) *apiErr {
	if r.Method != http.MethodPost {
		return errf(codeInvalidParameter, "tcrtest accepts only POST requests with a JSON body.")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errf(codeInvalidParameter, "The Content-Type must be application/json.")
	}
	switch v := r.Header.Get("X-TC-Version"); v {
	case version:
	case "":
		return errf(codeMissingParameter, "The request is missing a required parameter `Version`.")
	default:
		return errf(codeNoSuchVersion, "The API version `%s` does not exist.", v)
	}
	return nil
}

// instanceLocked finds an instance the key may act on in region.
func (s *Server) instanceLocked(k *key, region, id, action string) (*instance, *apiErr) {
	if id == "" {
		return nil, errf(codeMissingParameter, "The request is missing a required parameter `RegistryId`.")
	}
	if !k.allowed(id) {
		return nil, errf(codeUnauthorized, "you are not authorized to perform operation (tcr:%s)\nresource (qcs::tcr:%s:uin/%s:instance/%s) has no permission", action, region, s.UIN, id)
	}
	in := s.instances[id]
	if in == nil || in.Region != region {
		return nil, errf(codeTCRNotFound, "The TCR instance %s is not found in region %s.", id, region)
	}
	return in, nil
}

func (s *Server) createInstanceToken(k *key, region string, body []byte) (any, *apiErr) {
	var p struct {
		RegistryId string
		TokenType  string
		Desc       string
	}
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	var longTerm bool
	switch p.TokenType {
	case "", "temp":
	case "longterm":
		longTerm = true
	default:
		return nil, errf(codeInvalidParameter, "TokenType must be temp or longterm.")
	}
	if len(p.Desc) > 255 {
		return nil, errf(codeInvalidParameter, "Desc is longer than 255 characters.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.instanceLocked(k, region, p.RegistryId, "CreateInstanceToken"); e != nil {
		return nil, e
	}
	t := s.mintLocked(p.RegistryId, longTerm, p.Desc)
	out := map[string]any{"Username": s.UIN, "Token": t.password, "ExpTime": t.Expires.UnixMilli(), "TokenId": nil}
	if longTerm {
		out["TokenId"] = t.ID
		s.longTermExpTimeLocked(out, t.Expires.UnixMilli())
	}
	return out, nil
}

func (s *Server) deleteInstanceToken(k *key, region string, body []byte) (any, *apiErr) {
	var p struct{ RegistryId, TokenId string }
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.TokenId == "" {
		return nil, errf(codeMissingParameter, "The request is missing a required parameter `TokenId`.")
	}
	s.mu.Lock()
	if _, e := s.instanceLocked(k, region, p.RegistryId, "DeleteInstanceToken"); e != nil {
		s.mu.Unlock()
		return nil, e
	}
	if !s.deleteLocked(p.RegistryId, p.TokenId) {
		s.mu.Unlock()
		// The vendor documents no not-found code for this action; the
		// emulator answers InvalidParameter, among those it documents.
		return nil, errf(codeInvalidParameter, "The token %s does not exist in instance %s.", p.TokenId, p.RegistryId)
	}
	rev, hook := s.recordRevocationLocked(p.RegistryId, p.TokenId)
	s.mu.Unlock()
	if hook != nil {
		hook(rev)
	}
	return nil, nil
}

func (s *Server) describeInstanceToken(k *key, region string, body []byte) (any, *apiErr) {
	var p struct {
		RegistryId    string
		Limit, Offset int64
	}
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.Limit == 0 {
		p.Limit = 20
	}
	if p.Limit < 0 || p.Limit > 100 || p.Offset < 0 {
		return nil, errf(codeInvalidParameter, "Limit must be 1 to 100 and Offset not negative.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.instanceLocked(k, region, p.RegistryId, "DescribeInstanceToken"); e != nil {
		return nil, e
	}
	all := s.longTermLocked(p.RegistryId)
	type tokenOut struct {
		Id, Desc, RegistryId, CreatedAt string
		Enabled                         bool
		ExpiredAt                       int64
	}
	page := []tokenOut{}
	for i := p.Offset; i < int64(len(all)) && i < p.Offset+p.Limit; i++ {
		t := all[i]
		page = append(page, tokenOut{
			Id: t.ID, Desc: t.Desc, RegistryId: t.InstanceID, Enabled: t.Enabled,
			CreatedAt: t.Created.UTC().Format(time.RFC3339), ExpiredAt: t.Expires.UnixMilli(),
		})
	}
	return map[string]any{"TotalCount": len(all), "Tokens": page}, nil
}

func (s *Server) describeInstances(k *key, region string, body []byte) (any, *apiErr) {
	var p struct {
		Registryids   []string
		Offset, Limit int64
		Filters       []struct {
			Name   string
			Values []string
		}
		AllRegion bool
	}
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	if p.Limit == 0 {
		p.Limit = 20
	}
	if p.Limit < 0 || p.Limit > 100 || p.Offset < 0 {
		return nil, errf(codeInvalidParameter, "Limit must be 1 to 100 and Offset not negative.")
	}
	if len(p.Filters) > 0 {
		return nil, errf(codeInvalidParameter, "tcrtest does not support Filters.")
	}
	if k.only != nil && len(k.only) == 0 {
		return nil, errf(codeUnauthorized, "you are not authorized to perform operation (tcr:DescribeInstances)\nresource (qcs::tcr:%s:uin/%s:instance/*) has no permission", region, s.UIN)
	}
	want := map[string]bool{}
	for _, id := range p.Registryids {
		want[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*instance
	for _, in := range s.instances {
		if (len(want) == 0 || want[in.ID]) && (p.AllRegion || in.Region == region) && k.allowed(in.ID) {
			match = append(match, in)
		}
	}
	sortInstances(match)
	type registryOut struct {
		RegistryId, RegistryName, RegistryType, Status, PublicDomain string
		CreatedAt, RegionName, InternalEndpoint, ExpiredAt           string
		RegionId, TokenValidTime, PayMod                             int64
		EnableAnonymous, DeletionProtection                          bool
	}
	page := []registryOut{}
	for i := p.Offset; i < int64(len(match)) && i < p.Offset+p.Limit; i++ {
		in := match[i]
		page = append(page, registryOut{
			RegistryId: in.ID, RegistryName: in.Name, RegistryType: "premium", Status: "Running",
			PublicDomain: in.Registry, InternalEndpoint: in.Registry, RegionName: in.Region, RegionId: 1,
			CreatedAt: in.created.UTC().Format(time.RFC3339), PayMod: 0, TokenValidTime: 3600,
		})
	}
	return map[string]any{"TotalCount": len(match), "Registries": page}, nil
}

func sortInstances(in []*instance) {
	slices.SortFunc(in, func(a, b *instance) int { return strings.Compare(a.ID, b.ID) })
}
