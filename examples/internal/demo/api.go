package demo

import (
	"context"
	"net/http"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// ServeAPI serves an example's API on the loopback address addr until ctx
// is done. In turn, it listens on addr (see [ListenLoopback]); makes a new
// key for alg (see [NewKey]); makes the example's users with
// users([PasswordIterations]) and its API with api(key, the wall clock,
// users); calls ready with the API's base URL, such as
// "http://127.0.0.1:8080", for the example to say how to try it; and serves
// the API (see [Serve]). It returns the error of the first step that fails,
// or nil after a clean shutdown. U is the example's user type.
func ServeAPI[U any](ctx context.Context, addr string, alg jwtx.Algorithm,
	users func(iter int) (*Users[U], error),
	api func(key *jwtx.Key, clock jwtx.Clock, users *Users[U]) (http.Handler, error),
	ready func(base string),
) error {
	ln, err := ListenLoopback(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	key, err := NewKey(alg)
	if err != nil {
		return err
	}
	us, err := users(PasswordIterations)
	if err != nil {
		return err
	}
	h, err := api(key, jwtx.ClockFunc(time.Now), us)
	if err != nil {
		return err
	}
	ready("http://" + ln.Addr().String())
	return Serve(ctx, ln, h)
}
