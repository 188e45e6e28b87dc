package secretsmanager

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/regmint/regmint/core"
)

// opError wraps an SDK error with the operation and secret id. A missing
// secret or value also wraps core.ErrNotFound. The SDK's errors carry the
// service's code, message and request id, never a request or response
// body, so no secret value reaches them.
func opError(op, id string, err error) error {
	if isThrottle(err) {
		return &core.ThrottledError{Err: fmt.Errorf("secretsmanager %s %s: %w", op, id, err)}
	}
	if isNotFound(err) {
		return fmt.Errorf("secretsmanager %s %s: %w: %w", op, id, core.ErrNotFound, err)
	}
	return fmt.Errorf("secretsmanager %s %s: %w", op, id, err)
}

// isThrottle reports a throttling answer (ThrottlingException and the
// other codes the SDK's retryer treats as throttles).
func isThrottle(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	_, ok := retry.DefaultThrottleErrorCodes[ae.ErrorCode()]
	return ok
}

func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

func isExists(err error) bool {
	var ex *types.ResourceExistsException
	return errors.As(err, &ex)
}
