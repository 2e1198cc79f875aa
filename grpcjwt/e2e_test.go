package grpcjwt_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/typedjwt/typedjwt/grpcjwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newAuth builds the Auth of the test service's rules.
func newAuth(tb testing.TB, env *testutil.Env[User, Claims]) *grpcjwt.Auth[User, Claims] {
	tb.Helper()
	auth, err := grpcjwt.New(env.Verifier,
		grpcjwt.WithMode(httpx.Optional, service+"Optional"),
		grpcjwt.WithMode(httpx.Fresh, service+"Fresh"),
		grpcjwt.WithMode(httpx.Refresh, service+"Refresh"),
		grpcjwt.WithAuthorize(isAdmin, service+"Admin", service+"WatchAdmin"),
		grpcjwt.WithPublic(service+"Public"),
	)
	if err != nil {
		tb.Fatalf("grpcjwt.New: %v", err)
	}
	return auth
}

// reasonLog records, in an outer interceptor, the reason of each error the
// server returns, as a logging interceptor would.
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

func (l *reasonLog) unary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	resp, err := h(ctx, req)
	l.add(err)
	return resp, err
}

func (l *reasonLog) stream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	err := h(srv, ss)
	l.add(err)
	return err
}

// newServer starts the test service behind auth's interceptors, and a
// reasonLog in front of them, and returns a grpc-go client connection.
func newServer(tb testing.TB, auth *grpcjwt.Auth[User, Claims], opts ...grpc.DialOption) (*grpc.ClientConn, *reasonLog) {
	tb.Helper()
	var log reasonLog
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(log.unary, auth.UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(log.stream, auth.StreamServerInterceptor()),
	)
	return serve(tb, srv, opts...), &log
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
	Code    codes.Code
	Message string
	Reason  httpx.Reason // from the client's error detail
}

func outcomeOf(replies []string, err error) outcome {
	st := status.Convert(err)
	return outcome{Replies: replies, Code: st.Code(), Message: st.Message(), Reason: grpcjwt.ReasonOf(err)}
}

func replied(replies ...string) outcome { return outcome{Replies: replies, Code: codes.OK} }

func refused(code codes.Code, reason httpx.Reason) outcome {
	return outcome{Code: code, Message: reason.Message(), Reason: reason}
}

// TestModes calls every method of the test service with a grpc-go client
// over loopback, through every rule and the main refusals.
func TestModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		method        string
		stream        bool
		token         tokenOf
		authorization []string // metadata entries of their own instead of a token
		after         time.Duration
		want          outcome
	}{
		{name: "required, no token", method: "Required", want: refused(codes.Unauthenticated, httpx.ReasonMissing)},
		{name: "required", method: "Required", token: access("alice"), want: replied("alice/Alice")},
		{name: "required, a second before expiry", method: "Required", token: access("alice"), after: 15*time.Minute - time.Second, want: replied("alice/Alice")},
		{name: "required, at expiry", method: "Required", token: access("alice"), after: 15 * time.Minute, want: refused(codes.Unauthenticated, httpx.ReasonExpired)},
		{name: "required, foreign key", method: "Required", token: foreign, want: refused(codes.Unauthenticated, httpx.ReasonSignature)},
		{name: "required, refresh token", method: "Required", token: refresh("alice"), want: refused(codes.Unauthenticated, httpx.ReasonWrongType)},
		{name: "required, unknown user", method: "Required", token: access(ghost), want: refused(codes.Unauthenticated, httpx.ReasonUserMissing)},
		{name: "required, user store fails", method: "Required", token: access(broken), want: refused(codes.Internal, httpx.ReasonUserLoad)},
		{name: "required, malformed", method: "Required", authorization: []string{"Bearer a b"}, want: refused(codes.Unauthenticated, httpx.ReasonBadRequest)},
		{name: "required, two entries", method: "Required", authorization: []string{"Bearer a", "Bearer b"}, want: refused(codes.Unauthenticated, httpx.ReasonBadRequest)},
		{name: "required, another scheme", method: "Required", authorization: []string{"Basic YWxpY2U6eA=="}, want: refused(codes.Unauthenticated, httpx.ReasonMissing)},
		{name: "optional, no token", method: "Optional", want: replied("anonymous")},
		{name: "optional", method: "Optional", token: access("bob"), want: replied("bob/Bob")},
		{name: "optional, expired", method: "Optional", token: access("bob"), after: time.Hour, want: refused(codes.Unauthenticated, httpx.ReasonExpired)},
		{name: "fresh", method: "Fresh", token: access("alice", jwtx.AsFresh(true)), want: replied("alice/Alice")},
		{name: "fresh, stale token", method: "Fresh", token: access("alice"), want: refused(codes.Unauthenticated, httpx.ReasonNotFresh)},
		{name: "refresh", method: "Refresh", token: refresh("alice"), want: replied("alice/Alice")},
		{name: "refresh, access token", method: "Refresh", token: access("alice"), want: refused(codes.Unauthenticated, httpx.ReasonWrongType)},
		{name: "authorize, admin", method: "Admin", token: access("alice"), want: replied("alice/Alice")},
		{name: "authorize, not an admin", method: "Admin", token: access("bob"), want: refused(codes.PermissionDenied, httpx.ReasonForbidden)},
		{name: "public, expired token not read", method: "Public", token: access("bob"), after: time.Hour, want: replied("anonymous")},
		{name: "stream", method: "Watch", stream: true, token: access("alice"), want: replied("alice/Alice", "alice/Alice")},
		{name: "stream, no token", method: "Watch", stream: true, want: refused(codes.Unauthenticated, httpx.ReasonMissing)},
		{name: "stream, expired", method: "Watch", stream: true, token: access("alice"), after: time.Hour, want: refused(codes.Unauthenticated, httpx.ReasonExpired)},
		{name: "stream, authorize", method: "WatchAdmin", stream: true, token: access("alice"), want: replied("alice/Alice", "alice/Alice")},
		{name: "stream, not an admin", method: "WatchAdmin", stream: true, token: access("bob"), want: refused(codes.PermissionDenied, httpx.ReasonForbidden)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t)
			conn, log := newServer(t, newAuth(t, env))
			entries := tc.authorization
			if tc.token != nil {
				entries = []string{"Bearer " + tc.token(t, env)}
			}
			env.Clock.Advance(tc.after)
			ctx := t.Context()
			for _, e := range entries {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", e)
			}
			var got outcome
			if tc.stream {
				got = outcomeOf(watch(ctx, conn, tc.method))
			} else {
				reply, err := call(ctx, conn, tc.method)
				var replies []string
				if err == nil {
					replies = []string{reply}
				}
				got = outcomeOf(replies, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.method, diff)
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

// failingRevocations is a revocation store that cannot answer.
type failingRevocations struct{}

func (failingRevocations) Revoked(context.Context, jwtx.TokenInfo) (bool, error) {
	return false, errors.New("redis: i/o timeout")
}

// TestUnavailable: a revocation store that cannot answer refuses the call
// with Unavailable, so that the client tries again rather than log in.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	env := newEnv(t, jwtx.WithRevocation(failingRevocations{}))
	conn, _ := newServer(t, newAuth(t, env))
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer "+env.Access(t, users["alice"]).Raw)
	_, err := call(ctx, conn, "Required")
	if diff := cmp.Diff(refused(codes.Unavailable, httpx.ReasonUnavailable), outcomeOf(nil, err)); diff != "" {
		t.Errorf("call (-want +got):\n%s", diff)
	}
}

// TestCredentials sends tokens with per-RPC credentials: the token of the
// source is kept while it is valid and renewed within the margin before
// its expiry.
func TestCredentials(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	var mu sync.Mutex
	issued := 0
	src := grpcjwt.TokenSourceFunc(func(context.Context) (jwtx.Token, error) {
		mu.Lock()
		defer mu.Unlock()
		issued++
		return env.Access(t, users["alice"]), nil // lives 15 minutes
	})
	creds, err := grpcjwt.NewCredentials(src, grpcjwt.WithClock(env.Clock), grpcjwt.WithRefreshBefore(time.Minute), grpcjwt.AllowInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := newServer(t, newAuth(t, env), grpc.WithPerRPCCredentials(creds))
	for _, step := range []struct {
		advance    time.Duration
		wantIssued int
	}{
		{0, 1},
		{10 * time.Minute, 1},             // 5 minutes left: reused
		{4*time.Minute - time.Second, 1},  // 61 seconds left: reused
		{time.Second, 2},                  // 60 seconds left: renewed
		{14*time.Minute - time.Second, 2}, // 61 seconds left on the new one
		{16 * time.Minute, 3},             // long expired: renewed
	} {
		env.Clock.Advance(step.advance)
		reply, err := call(t.Context(), conn, "Required")
		if err != nil {
			t.Fatalf("call at %v: %v", env.Clock.Now(), err)
		}
		mu.Lock()
		got := issued
		mu.Unlock()
		if reply != "alice/Alice" || got != step.wantIssued {
			t.Errorf("at %v: reply %q, %d tokens issued; want alice/Alice, %d", env.Clock.Now(), reply, got, step.wantIssued)
		}
	}
}

// TestCredentialsNeedTransportSecurity: by default the credentials refuse
// to send a token over a connection without TLS.
func TestCredentialsNeedTransportSecurity(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	creds, err := grpcjwt.NewCredentials(grpcjwt.TokenSourceFunc(func(context.Context) (jwtx.Token, error) {
		return env.Access(t, users["alice"]), nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	conn, _ := newServer(t, newAuth(t, env))
	insecureConn, err := grpc.NewClient(conn.Target(), grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(creds))
	if err == nil {
		defer insecureConn.Close()
		_, err = call(t.Context(), insecureConn, "Required")
	}
	if err == nil {
		t.Fatal("a call over an insecure connection sent the token")
	}
}

// TestNew checks the configurations New refuses.
func TestNew(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	otherCheck := func(context.Context, jwtx.RegisteredClaims, string) error { return nil }
	for _, tc := range []struct {
		name string
		opts []grpcjwt.Option
		ok   bool
	}{
		{name: "defaults", ok: true},
		{name: "every rule", opts: []grpcjwt.Option{grpcjwt.WithMode(httpx.Optional), grpcjwt.WithPublic("/a.B/"), grpcjwt.WithAuthorize(isAdmin)}, ok: true},
		{name: "unknown mode", opts: []grpcjwt.Option{grpcjwt.WithMode(httpx.Mode(9), "/a.B/C")}},
		{name: "bad method", opts: []grpcjwt.Option{grpcjwt.WithMode(httpx.Optional, "a.B/C")}},
		{name: "bad method, too deep", opts: []grpcjwt.Option{grpcjwt.WithMode(httpx.Optional, "/a.B/C/D")}},
		{name: "public, no method", opts: []grpcjwt.Option{grpcjwt.WithPublic()}},
		{name: "check of other types", opts: []grpcjwt.Option{grpcjwt.WithAuthorize(otherCheck, "/a.B/")}},
		{name: "nil option", opts: []grpcjwt.Option{nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := grpcjwt.New(env.Verifier, tc.opts...)
			if (err == nil) != tc.ok || err != nil && !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("New: %v, want ok %v (or jwtx.ErrConfig)", err, tc.ok)
			}
		})
	}
}
