package demotest

import (
	"net/http"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// Iterations is the PBKDF2 work factor of the users of [NewServer]: few,
// to keep password hashing cheap in tests. The code is the same as with
// demo.PasswordIterations.
const Iterations = 1000

// LoginTime is the time the clock of [NewServer] starts at.
func LoginTime() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }

// NewServer returns an example's API as its tests serve it, and the API's
// clock. As demo.ServeAPI does for the program, it makes the users with
// users([Iterations]) and the API with api(key, clock, users), but key is
// testutil's fixed test key for alg and clock stands at [LoginTime] until
// the test moves it. It fails the test if users or api fails. U is the
// example's user type.
func NewServer[U any](tb testing.TB, alg jwtx.Algorithm,
	users func(iter int) (*demo.Users[U], error),
	api func(key *jwtx.Key, clock jwtx.Clock, users *demo.Users[U]) (http.Handler, error),
) (http.Handler, *testutil.Clock) {
	tb.Helper()
	us, err := users(Iterations)
	if err != nil {
		tb.Fatalf("demotest: users: %v", err)
	}
	clock := testutil.NewClock(LoginTime())
	h, err := api(testutil.NewKey(tb, alg).Private(), clock, us)
	if err != nil {
		tb.Fatalf("demotest: API: %v", err)
	}
	return h, clock
}
