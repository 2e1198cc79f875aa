package connectjwt_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/typedjwt/typedjwt/connectjwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newAuth builds the Auth of the test service's rules.
func newAuth(tb testing.TB, env *testutil.Env[User, Claims]) *connectjwt.Auth[User, Claims] {
	tb.Helper()
	auth, err := connectjwt.New(env.Verifier,
		connectjwt.WithMode(httpx.Optional, service+"Optional"),
		connectjwt.WithMode(httpx.Fresh, service+"Fresh"),
		connectjwt.WithMode(httpx.Refresh, service+"Refresh"),
		connectjwt.WithAuthorize(isAdmin, service+"Admin", service+"WatchAdmin"),
		connectjwt.WithPublic(service+"Public"),
	)
	if err != nil {
		tb.Fatalf("connectjwt.New: %v", err)
	}
	return auth
}

// reasonLog is an interceptor in front of the Auth's that records the
// reason of each error the handlers return, as a logging interceptor would.
type reasonLog struct {
	mu      sync.Mutex
	reasons []httpx.Reason
}

func (l *reasonLog) add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reasons = append(l.reasons, httpx.ReasonOf(err))
}

func (l *reasonLog) all() []httpx.Reason {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]httpx.Reason(nil), l.reasons...)
}

func (l *reasonLog) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		resp, err := next(ctx, req)
		l.add(err)
		return resp, err
	}
}

func (l *reasonLog) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l *reasonLog) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		l.add(err)
		return err
	}
}

// newServer serves the test service behind auth's interceptor, and a
// reasonLog in front of it, on loopback over HTTP/1.1 and HTTP/2 without
// TLS, and returns its URL.
func newServer(tb testing.TB, auth *connectjwt.Auth[User, Claims]) (string, *reasonLog) {
	tb.Helper()
	log := &reasonLog{}
	opts := connect.WithInterceptors(log, auth.Interceptor())
	mux := http.NewServeMux()
	for _, name := range []string{"Required", "Optional", "Fresh", "Refresh", "Admin", "Public"} {
		mux.Handle(service+name, connect.NewUnaryHandler(service+name,
			func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
				return connect.NewResponse(wrapperspb.String(who(ctx))), nil
			}, opts))
	}
	for _, name := range []string{"Watch", "WatchAdmin"} {
		mux.Handle(service+name, connect.NewServerStreamHandler(service+name,
			func(ctx context.Context, _ *connect.Request[emptypb.Empty], stream *connect.ServerStream[wrapperspb.StringValue]) error {
				for range 2 {
					if err := stream.Send(wrapperspb.String(who(ctx))); err != nil {
						return err
					}
				}
				return nil
			}, opts))
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true) // gRPC needs HTTP/2
	srv.Start()
	tb.Cleanup(srv.Close)
	return srv.URL, log
}

// h2c is an HTTP client that speaks HTTP/2 without TLS, as gRPC needs.
func h2c(tb testing.TB) *http.Client {
	tb.Helper()
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: p}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// protocols are the client protocols every case runs with.
var protocols = map[string][]connect.ClientOption{
	"connect":  nil,
	"grpc":     {connect.WithGRPC()},
	"grpc-web": {connect.WithGRPCWeb()},
}

// tokenOf issues the token of a test case.
type tokenOf func(tb testing.TB, env *testutil.Env[User, Claims]) string

func access(id string, opts ...jwtx.IssueOption) tokenOf {
	return func(tb testing.TB, env *testutil.Env[User, Claims]) string {
		return env.Access(tb, userOf(id), opts...).Raw
	}
}

func refresh(id string) tokenOf {
	return func(tb testing.TB, env *testutil.Env[User, Claims]) string { return env.Refresh(tb, userOf(id)).Raw }
}

// foreign is an access token signed by a key the verifier does not trust.
func foreign(tb testing.TB, env *testutil.Env[User, Claims]) string {
	return env.Forger.Bad(tb, testutil.ForeignKey)
}

// outcome is what a test asserts about a call.
type outcome struct {
	Replies []string // one for a unary call, two for a stream
	Code    connect.Code
	Message string
	Reason  httpx.Reason // from the client's error detail
}

func outcomeOf(replies []string, err error) outcome {
	o := outcome{Replies: replies, Reason: connectjwt.ReasonOf(err)}
	var cerr *connect.Error
	if errors.As(err, &cerr) {
		o.Code, o.Message = cerr.Code(), cerr.Message()
	}
	return o
}

func replied(replies ...string) outcome { return outcome{Replies: replies} }

func refused(code connect.Code, reason httpx.Reason) outcome {
	return outcome{Code: code, Message: reason.Message(), Reason: reason}
}

// TestModes calls every procedure of the test service with connect-go
// clients of the three protocols over loopback, through every rule and the
// main refusals.
func TestModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		procedure     string
		stream        bool
		token         tokenOf
		authorization []string // headers of their own instead of a token
		after         time.Duration
		want          outcome
	}{
		{name: "required, no token", procedure: "Required", want: refused(connect.CodeUnauthenticated, httpx.ReasonMissing)},
		{name: "required", procedure: "Required", token: access("alice"), want: replied("alice/Alice")},
		{name: "required, a second before expiry", procedure: "Required", token: access("alice"), after: 15*time.Minute - time.Second, want: replied("alice/Alice")},
		{name: "required, at expiry", procedure: "Required", token: access("alice"), after: 15 * time.Minute, want: refused(connect.CodeUnauthenticated, httpx.ReasonExpired)},
		{name: "required, foreign key", procedure: "Required", token: foreign, want: refused(connect.CodeUnauthenticated, httpx.ReasonSignature)},
		{name: "required, refresh token", procedure: "Required", token: refresh("alice"), want: refused(connect.CodeUnauthenticated, httpx.ReasonWrongType)},
		{name: "required, unknown user", procedure: "Required", token: access(ghost), want: refused(connect.CodeUnauthenticated, httpx.ReasonUserMissing)},
		{name: "required, user store fails", procedure: "Required", token: access(broken), want: refused(connect.CodeInternal, httpx.ReasonUserLoad)},
		{name: "required, malformed", procedure: "Required", authorization: []string{"Bearer a b"}, want: refused(connect.CodeUnauthenticated, httpx.ReasonBadRequest)},
		{name: "required, two headers", procedure: "Required", authorization: []string{"Bearer a", "Bearer b"}, want: refused(connect.CodeUnauthenticated, httpx.ReasonBadRequest)},
		{name: "optional, no token", procedure: "Optional", want: replied("anonymous")},
		{name: "optional", procedure: "Optional", token: access("bob"), want: replied("bob/Bob")},
		{name: "optional, expired", procedure: "Optional", token: access("bob"), after: time.Hour, want: refused(connect.CodeUnauthenticated, httpx.ReasonExpired)},
		{name: "fresh", procedure: "Fresh", token: access("alice", jwtx.AsFresh(true)), want: replied("alice/Alice")},
		{name: "fresh, stale token", procedure: "Fresh", token: access("alice"), want: refused(connect.CodeUnauthenticated, httpx.ReasonNotFresh)},
		{name: "refresh", procedure: "Refresh", token: refresh("alice"), want: replied("alice/Alice")},
		{name: "refresh, access token", procedure: "Refresh", token: access("alice"), want: refused(connect.CodeUnauthenticated, httpx.ReasonWrongType)},
		{name: "authorize, admin", procedure: "Admin", token: access("alice"), want: replied("alice/Alice")},
		{name: "authorize, not an admin", procedure: "Admin", token: access("bob"), want: refused(connect.CodePermissionDenied, httpx.ReasonForbidden)},
		{name: "public, expired token not read", procedure: "Public", token: access("bob"), after: time.Hour, want: replied("anonymous")},
		{name: "stream", procedure: "Watch", stream: true, token: access("alice"), want: replied("alice/Alice", "alice/Alice")},
		{name: "stream, no token", procedure: "Watch", stream: true, want: refused(connect.CodeUnauthenticated, httpx.ReasonMissing)},
		{name: "stream, expired", procedure: "Watch", stream: true, token: access("alice"), after: time.Hour, want: refused(connect.CodeUnauthenticated, httpx.ReasonExpired)},
		{name: "stream, authorize", procedure: "WatchAdmin", stream: true, token: access("alice"), want: replied("alice/Alice", "alice/Alice")},
		{name: "stream, not an admin", procedure: "WatchAdmin", stream: true, token: access("bob"), want: refused(connect.CodePermissionDenied, httpx.ReasonForbidden)},
	} {
		for pname, popts := range protocols {
			t.Run(pname+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				env := newEnv(t)
				url, log := newServer(t, newAuth(t, env))
				entries := tc.authorization
				if tc.token != nil {
					entries = []string{"Bearer " + tc.token(t, env)}
				}
				env.Clock.Advance(tc.after)
				client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](h2c(t), url+service+tc.procedure, popts...)
				req := connect.NewRequest(&emptypb.Empty{})
				for _, e := range entries {
					req.Header().Add("Authorization", e)
				}
				var got outcome
				if tc.stream {
					got = outcomeOf(receive(t.Context(), client, req))
				} else {
					var replies []string
					resp, err := client.CallUnary(t.Context(), req)
					if err == nil {
						replies = []string{resp.Msg.GetValue()}
					}
					got = outcomeOf(replies, err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tc.procedure, diff)
				}
				var wantLog []httpx.Reason
				if tc.want.Reason != "" {
					wantLog = []httpx.Reason{tc.want.Reason}
				}
				if diff := cmp.Diff(wantLog, log.all()); diff != "" {
					t.Errorf("reasons seen on the server (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// receive makes a server-streaming call and returns the replies.
func receive(ctx context.Context, client *connect.Client[emptypb.Empty, wrapperspb.StringValue], req *connect.Request[emptypb.Empty]) ([]string, error) {
	stream, err := client.CallServerStream(ctx, req)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	var got []string
	for stream.Receive() {
		got = append(got, stream.Msg().GetValue())
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	return got, nil
}

// failingRevocations is a revocation store that cannot answer.
type failingRevocations struct{}

func (failingRevocations) Revoked(context.Context, jwtx.TokenInfo) (bool, error) {
	return false, errors.New("redis: i/o timeout")
}

// TestUnavailable: a revocation store that cannot answer refuses the call
// with CodeUnavailable, so that the client tries again rather than log in.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	env := newEnv(t, jwtx.WithRevocation(failingRevocations{}))
	url, _ := newServer(t, newAuth(t, env))
	client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](h2c(t), url+service+"Required")
	req := connect.NewRequest(&emptypb.Empty{})
	req.Header().Set("Authorization", "Bearer "+env.Access(t, users["alice"]).Raw)
	_, err := client.CallUnary(t.Context(), req)
	if diff := cmp.Diff(refused(connect.CodeUnavailable, httpx.ReasonUnavailable), outcomeOf(nil, err)); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
}

// TestNew checks the configurations New refuses.
func TestNew(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	otherCheck := func(context.Context, jwtx.RegisteredClaims, string) error { return nil }
	for _, tc := range []struct {
		name string
		opts []connectjwt.Option
		ok   bool
	}{
		{name: "defaults", ok: true},
		{name: "every rule", opts: []connectjwt.Option{connectjwt.WithMode(httpx.Optional), connectjwt.WithPublic("/a.B/"), connectjwt.WithAuthorize(isAdmin)}, ok: true},
		{name: "unknown mode", opts: []connectjwt.Option{connectjwt.WithMode(httpx.Mode(9), "/a.B/C")}},
		{name: "bad procedure", opts: []connectjwt.Option{connectjwt.WithMode(httpx.Optional, "a.B/C")}},
		{name: "public, no procedure", opts: []connectjwt.Option{connectjwt.WithPublic()}},
		{name: "check of other types", opts: []connectjwt.Option{connectjwt.WithAuthorize(otherCheck, "/a.B/")}},
		{name: "nil option", opts: []connectjwt.Option{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := connectjwt.New(env.Verifier, tc.opts...)
			if (err == nil) != tc.ok || err != nil && !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("New: %v, want ok %v (or jwtx.ErrConfig)", err, tc.ok)
			}
		})
	}
}
