package tcr

import (
	"fmt"
	"log/slog"
)

// sdkLogger sends the SDK's Printf lines to slog at debug level. The SDK
// logs request and response dumps only with ClientProfile.Debug, which is
// never set.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Printf(format string, args ...any) {
	l.log.Debug("tencentcloud sdk", slog.String("line", fmt.Sprintf(format, args...)))
}
