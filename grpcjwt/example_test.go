package grpcjwt_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/typedjwt/typedjwt/grpcjwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// exampleKeyAndClock are a fixed HS256 key and a fixed clock, so that the
// examples are the same in every run. Real secrets come from a secret store
// and are at least 32 random bytes.
func exampleKeyAndClock() (*jwtx.Key, jwtx.Option) {
	key, err := jwtx.NewKey(jwtx.HS256, []byte("example-secret-of-at-least-32-bytes!"))
	if err != nil {
		panic(err)
	}
	return key, jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
}

// The unary interceptor in front of a handler that reads the typed claims
// from its context; a call without a token is refused with Unauthenticated
// and the reason "missing".
func ExampleAuth_UnaryServerInterceptor() {
	key, clock := exampleKeyAndClock()
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		panic(err)
	}
	auth, err := grpcjwt.New(ver, grpcjwt.WithPublic("/grpc.health.v1.Health/"))
	if err != nil {
		panic(err)
	}
	// grpc.NewServer(grpc.ChainUnaryInterceptor(auth.UnaryServerInterceptor()), ...)
	intercept := auth.UnaryServerInterceptor()
	getOrder := func(ctx context.Context, _ any) (any, error) {
		claims, _ := jwtx.From[jwtx.RegisteredClaims](ctx)
		user, _ := jwtx.UserFrom[string](ctx)
		return fmt.Sprintf("order of %s (sub %s)", user, claims.Subject), nil
	}
	info := &grpc.UnaryServerInfo{FullMethod: "/shop.Orders/Get"}

	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		panic(err)
	}
	for _, md := range []metadata.MD{metadata.Pairs("authorization", "Bearer "+tok.Raw), nil} {
		ctx := metadata.NewIncomingContext(context.Background(), md)
		reply, err := intercept(ctx, nil, info, getOrder)
		if err != nil {
			st := status.Convert(err)
			fmt.Println(st.Code(), st.Message(), grpcjwt.ReasonOf(err))
			continue
		}
		fmt.Println(reply)
	}
	// Output:
	// order of alice (sub alice)
	// Unauthenticated missing token missing
}

// Per-RPC credentials send the token of a source with every call and ask
// the source again shortly before the token expires.
func ExampleNewCredentials() {
	key, clock := exampleKeyAndClock()
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock)
	if err != nil {
		panic(err)
	}
	login := grpcjwt.TokenSourceFunc(func(ctx context.Context) (jwtx.Token, error) {
		return iss.Access(ctx, "alice") // in a real client: a login or refresh call
	})
	creds, err := grpcjwt.NewCredentials(login,
		grpcjwt.WithRefreshBefore(time.Minute),
		grpcjwt.AllowInsecure(true), // only for this example, which has no TLS connection
	)
	if err != nil {
		panic(err)
	}
	// conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(tls), grpc.WithPerRPCCredentials(creds))
	md, err := creds.GetRequestMetadata(context.Background())
	if err != nil {
		panic(err)
	}
	scheme, _, _ := strings.Cut(md["authorization"], " ")
	fmt.Println("authorization:", scheme, "<token>")
	// Output:
	// authorization: Bearer <token>
}

// The code and reason a refusal gets.
func ExampleStatusOf() {
	for _, err := range []error{httpx.ErrNoToken, jwtx.ErrExpired, httpx.ErrForbidden, jwtx.ErrRevocationUnavailable} {
		st := grpcjwt.StatusOf(err)
		fmt.Printf("%s %q %s\n", st.Code(), st.Message(), grpcjwt.ReasonOf(st.Err()))
	}
	// Output:
	// Unauthenticated "missing token" missing
	// Unauthenticated "token expired" expired
	// PermissionDenied "forbidden" forbidden
	// Unavailable "try again later" revocation_unavailable
}
