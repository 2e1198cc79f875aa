package grpcjwt_test

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// User is the application's user type in these tests.
type User struct {
	ID    string
	Name  string
	Roles []string
}

// Claims are the typed claims of these tests.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

// Subjects the user store treats specially.
const (
	ghost  = "ghost"  // no such user
	broken = "broken" // the user store fails
)

// users is the user store.
var users = map[string]User{
	"alice": {ID: "alice", Name: "Alice", Roles: []string{"admin"}},
	"bob":   {ID: "bob", Name: "Bob", Roles: []string{"reader"}},
}

// newEnv returns a test environment for User and Claims whose verifier
// loads users from users; opts go to the verifier.
func newEnv(tb testing.TB, opts ...jwtx.VerifierOption) *testutil.Env[User, Claims] {
	tb.Helper()
	load := jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
		if sub == broken {
			return User{}, errors.New("db: connection refused")
		}
		u, ok := users[sub]
		if !ok {
			return User{}, jwtx.ErrUserNotFound
		}
		return u, nil
	})
	return testutil.NewEnv[User, Claims](tb,
		testutil.WithIssuerOptions(
			jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
			jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
		),
		testutil.WithVerifierOptions(append([]jwtx.VerifierOption{load}, opts...)...),
	)
}

// userOf returns the stored user id, or a user the store does not know.
func userOf(id string) User {
	if u, ok := users[id]; ok {
		return u
	}
	return User{ID: id}
}

// errNotAdmin is the refusal of isAdmin.
var errNotAdmin = errors.New("not an admin")

// isAdmin is an authorization check.
func isAdmin(_ context.Context, c Claims, u User) error {
	if !slices.Contains(c.Roles, "admin") || !slices.Contains(u.Roles, "admin") {
		return errNotAdmin
	}
	return nil
}

// The test service, written by hand: no generated code.
const service = "/typedjwt.test.Who/"

// who describes what the context of a handler holds.
func who(ctx context.Context) string {
	c, ok := jwtx.From[Claims](ctx)
	if !ok {
		return "anonymous"
	}
	u, _ := jwtx.UserFrom[User](ctx)
	return c.Subject + "/" + u.Name
}

// unary is the handler of a unary method: it answers who(ctx).
func unary(name string) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: name,
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(who(ctx)), nil }
			if icpt == nil {
				return h(ctx, in)
			}
			return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: service + name}, h)
		},
	}
}

// serverStream is the handler of a server-streaming method: it sends
// who(ctx) twice.
func serverStream(name string) grpc.StreamDesc {
	return grpc.StreamDesc{
		StreamName:    name,
		ServerStreams: true,
		Handler: func(_ any, ss grpc.ServerStream) error {
			if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
				return err
			}
			for range 2 {
				if err := ss.SendMsg(wrapperspb.String(who(ss.Context()))); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// whoService is the service: a unary method per rule, and two streams.
var whoService = grpc.ServiceDesc{
	ServiceName: "typedjwt.test.Who",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		unary("Required"), unary("Optional"), unary("Fresh"), unary("Refresh"), unary("Admin"), unary("Public"),
	},
	Streams: []grpc.StreamDesc{serverStream("Watch"), serverStream("WatchAdmin")},
}

// serve starts srv with the test service on a loopback port and returns a
// client connection to it; opts go to the client.
func serve(tb testing.TB, srv *grpc.Server, opts ...grpc.DialOption) *grpc.ClientConn {
	tb.Helper()
	srv.RegisterService(&whoService, struct{}{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	go func() { _ = srv.Serve(lis) }() // returns when Stop closes the listener
	tb.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		tb.Fatalf("grpc.NewClient: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

// call makes a unary call and returns the reply.
func call(ctx context.Context, conn *grpc.ClientConn, method string) (string, error) {
	out := new(wrapperspb.StringValue)
	if err := conn.Invoke(ctx, service+method, new(emptypb.Empty), out); err != nil {
		return "", err
	}
	return out.GetValue(), nil
}

// watch makes a server-streaming call and returns the replies.
func watch(ctx context.Context, conn *grpc.ClientConn, method string) ([]string, error) {
	desc := &grpc.StreamDesc{StreamName: method, ServerStreams: true}
	cs, err := conn.NewStream(ctx, desc, service+method)
	if err != nil {
		return nil, err
	}
	if err := cs.SendMsg(new(emptypb.Empty)); err != nil {
		return nil, err
	}
	if err := cs.CloseSend(); err != nil {
		return nil, err
	}
	var got []string
	for {
		out := new(wrapperspb.StringValue)
		if err := cs.RecvMsg(out); err != nil {
			if errors.Is(err, io.EOF) {
				return got, nil
			}
			return nil, err
		}
		got = append(got, out.GetValue())
	}
}
