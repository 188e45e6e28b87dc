package smtest

import "net/http"

// Quota is a request-rate quota of Secrets Manager: at most PerSecond calls
// of its operations together in one second of the server's clock. The
// documented quotas (AWS Secrets Manager User Guide, "AWS Secrets Manager
// quotas", reference_limits.html) are per region and not adjustable.
type Quota struct {
	// Ops are the operations that share the quota.
	Ops []string
	// PerSecond is the number of calls allowed per second.
	PerSecond int
}

// Documented quotas of the operations the emulator implements.
var (
	// QuotaWrites is the combined rate of PutSecretValue, UpdateSecret and
	// UpdateSecretVersionStage (with the replication operations regmint
	// does not call): 50 per second.
	QuotaWrites = Quota{Ops: []string{"PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage"}, PerSecond: 50}
	// QuotaCreate is the rate of CreateSecret: 50 per second.
	QuotaCreate = Quota{Ops: []string{"CreateSecret"}, PerSecond: 50}
	// QuotaReads is the combined rate of DescribeSecret and GetSecretValue:
	// 10,000 per second.
	QuotaReads = Quota{Ops: []string{"DescribeSecret", "GetSecretValue"}, PerSecond: 10000}
	// QuotaBatchReads is the rate of BatchGetSecretValue: 100 per second
	// (each call reads up to 20 secrets).
	QuotaBatchReads = Quota{Ops: []string{"BatchGetSecretValue"}, PerSecond: 100}
)

// DocumentedQuotas are the quotas EnforceQuotas enforces.
func DocumentedQuotas() []Quota {
	return []Quota{QuotaWrites, QuotaCreate, QuotaReads, QuotaBatchReads}
}

// quota is an enforced Quota's count in the current second.
type quota struct {
	Quota
	second  int64
	n       int
	refused int
}

// EnforceQuotas makes the server refuse calls beyond the given quotas (the
// documented ones if none are given) with HTTP 400 ThrottlingException
// "Rate exceeded", as Secrets Manager does. Calls are counted per whole
// second of the server's clock, refused ones included, after any injected
// fault. EnforceQuotas replaces the quotas set before; with an empty list
// of quotas of PerSecond 0 it removes them.
func (s *Server) EnforceQuotas(qs ...Quota) {
	if len(qs) == 0 {
		qs = DocumentedQuotas()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas = map[string]*quota{}
	for _, q := range qs {
		if q.PerSecond <= 0 {
			continue
		}
		eq := &quota{Quota: q}
		for _, op := range q.Ops {
			s.quotas[op] = eq
		}
	}
}

// Throttled returns how many calls of op the quotas refused.
func (s *Server) Throttled(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled[op]
}

// overQuotaLocked counts a call of op against its quota and returns the
// throttling fault if the quota is used up.
func (s *Server) overQuotaLocked(op string) *Fault {
	q := s.quotas[op]
	if q == nil {
		return nil
	}
	if sec := s.nowLocked().Unix(); sec != q.second {
		q.second, q.n = sec, 0
	}
	q.n++
	if q.n <= q.PerSecond {
		return nil
	}
	q.refused++
	s.throttled[op]++
	f := Fault{Op: op, Code: CodeThrottling, Message: messageThrottled, Status: http.StatusBadRequest}
	return &f
}
