package jwtx

import "time"

// A Clock tells the current time. Issuers and Verifiers read time only
// through their Clock, so tests can fix it (see [WithClock]).
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to a [Clock].
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// systemClock is the default Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
