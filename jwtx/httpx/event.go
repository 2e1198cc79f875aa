package httpx

import (
	"context"
	"log/slog"
)

// Event is the outcome of one request that reached the middleware, for
// metrics and audit logs. It never holds a token or a key: only the claims
// that identify a token whose signature verified.
type Event struct {
	Reason   Reason
	Location Location // where the token came from; 0 when there was none
	Method   string
	Path     string
	Subject  string // the sub of a token whose signature verified, or ""
	TokenID  string // its jti, or ""
	Err      error  // the failure, for logs; nil on success
}

// SlogEvents returns an event function that logs each event to l: at Info
// for successes, Warn for refusals and Error for internal failures.
func SlogEvents(l *slog.Logger) func(context.Context, Event) {
	return func(ctx context.Context, e Event) {
		level := slog.LevelWarn
		switch e.Reason {
		case ReasonAuthenticated, ReasonAnonymous, ReasonLoggedOut:
			level = slog.LevelInfo
		case ReasonInternal, ReasonUserLoad, ReasonUnavailable:
			level = slog.LevelError
		}
		attrs := []slog.Attr{
			slog.String("reason", string(e.Reason)),
			slog.String("method", e.Method),
			slog.String("path", e.Path),
		}
		if e.Location != 0 {
			attrs = append(attrs, slog.String("location", e.Location.String()))
		}
		if e.Subject != "" {
			attrs = append(attrs, slog.String("sub", e.Subject), slog.String("jti", e.TokenID))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("error", e.Err.Error()))
		}
		l.LogAttrs(ctx, level, "jwt auth", attrs...)
	}
}
