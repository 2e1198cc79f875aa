package demotest

import (
	"fmt"
	"runtime"
	"testing"
)

// fatalRecorder is a testing.TB whose Fatalf records the failure and ends
// the goroutine, as the real one does, without failing the test. The rest
// is the real test's.
type fatalRecorder struct {
	testing.TB
	fatal string
}

// Fatalf records the failure and ends the goroutine.
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatal calls f in a goroutine of its own with a testing.TB that records
// Fatalf, and returns whether f failed.
func fatal(t *testing.T, f func(tb testing.TB)) bool {
	t.Helper()
	r := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	if r.fatal != "" {
		t.Logf("failed as expected: %s", r.fatal)
	}
	return r.fatal != ""
}
