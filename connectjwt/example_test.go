package connectjwt_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/typedjwt/typedjwt/connectjwt"
	"github.com/typedjwt/typedjwt/jwtx"
)

// inMemory is an HTTP client that hands requests straight to a handler,
// so that the example needs no network.
type inMemory struct{ h http.Handler }

func (c inMemory) Do(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// A unary handler behind the interceptor reads the typed claims from its
// context; a call without a token is refused with CodeUnauthenticated and
// the reason "missing".
func ExampleAuth_Interceptor() {
	key, err := jwtx.NewKey(jwtx.HS256, []byte("example-secret-of-at-least-32-bytes!"))
	if err != nil {
		panic(err)
	}
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		panic(err)
	}
	auth, err := connectjwt.New(ver)
	if err != nil {
		panic(err)
	}
	const procedure = "/shop.v1.OrderService/Get"
	mux := http.NewServeMux()
	mux.Handle(procedure, connect.NewUnaryHandler(procedure,
		func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
			claims, _ := jwtx.From[jwtx.RegisteredClaims](ctx)
			return connect.NewResponse(wrapperspb.String("order of " + claims.Subject)), nil
		},
		connect.WithInterceptors(auth.Interceptor()),
	))

	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		panic(err)
	}
	client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](inMemory{mux}, "http://shop.example"+procedure)
	for _, authorization := range []string{"Bearer " + tok.Raw, ""} {
		req := connect.NewRequest(&emptypb.Empty{})
		if authorization != "" {
			req.Header().Set("Authorization", authorization)
		}
		resp, err := client.CallUnary(context.Background(), req)
		if err != nil {
			fmt.Println(connect.CodeOf(err), connectjwt.ReasonOf(err), err)
			continue
		}
		fmt.Println(resp.Msg.GetValue())
	}
	// Output:
	// order of alice
	// unauthenticated missing unauthenticated: missing token
}
