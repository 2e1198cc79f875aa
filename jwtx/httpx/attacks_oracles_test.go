package httpx_test

// Attack catalogue D8: error oracles and leakage.

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkOracle is a token that fails for one reason, and how D8 wants it
// refused.
type atkOracle struct {
	name   string
	token  func(t *testing.T, e *appEnv) jwtx.Token
	desc   string
	reason httpx.Reason
	err    error
	signed bool // correctly signed: the event names the token by jti
}

// atkSignedBy returns alice's access token signed by an attacker's key
// under kid.
func atkSignedBy(kid string) func(*testing.T, *appEnv) jwtx.Token {
	return func(t *testing.T, e *appEnv) jwtx.Token { return e.attacker(t, kid).access(t, "alice") }
}

// TestRefusalsRevealNothing covers D8: tokens that fail for different
// reasons get a uniform 401 with error="invalid_token" and a fixed body;
// the error_description is coarse ("invalid token", or "token expired" for
// a correctly signed expired token, which tells the client to refresh). No
// response echoes a claim or the token. Each request yields one event with
// a reason and the error, never the token nor any of its claims (sub and
// jti appear in events only for tokens that pass verification).
func TestRefusalsRevealNothing(t *testing.T) {
	t.Parallel()
	failures := []atkOracle{
		{name: "bad-signature", token: atkSignedBy("k1"), desc: "invalid token", reason: httpx.ReasonSignature, err: jwtx.ErrSignature},
		{name: "unknown-kid", token: atkSignedBy("k2"), desc: "invalid token", reason: httpx.ReasonSignature, err: jwtx.ErrKeyNotFound},
		{name: "wrong-aud", token: func(t *testing.T, e *appEnv) jwtx.Token { return e.access(t, "alice", jwtx.ForAudience("billing")) },
			desc: "invalid token", reason: httpx.ReasonInvalid, err: jwtx.ErrAudience, signed: true},
		{name: "malformed", token: func(t *testing.T, e *appEnv) jwtx.Token {
			tok := e.access(t, "alice")
			tok.Raw = tok.Raw[:strings.LastIndexByte(tok.Raw, '.')] // two segments
			return tok
		}, desc: "invalid token", reason: httpx.ReasonInvalid, err: jwtx.ErrMalformed},
		{name: "expired", token: func(t *testing.T, e *appEnv) jwtx.Token {
			e.Clock.Advance(-time.Hour)
			defer e.Clock.Advance(time.Hour)
			return e.access(t, "alice")
		}, desc: "token expired", reason: httpx.ReasonExpired, err: jwtx.ErrExpired, signed: true},
	}
	for _, tc := range failures {
		t.Run("D8/"+tc.name, func(t *testing.T) {
			t.Parallel()
			s := atkNewSite(t, httpx.WithLocations(httpx.FromHeader))
			tok := tc.token(t, s.e)
			rec := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
			if diff := cmp.Diff(refusedToken(tc.desc), resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q lacks error=\"invalid_token\"", rec.Header().Get("WWW-Authenticate"))
			}
			secrets := append(atkSegments(tok.Raw), "alice", "Alice", tok.ID, "billing", tok.CSRF, `"roles"`)
			for name, values := range rec.Header() {
				atkNoLeak(t, "response header "+name, strings.Join(values, "\n"), secrets...)
			}
			atkNoLeak(t, "response body", rec.Body.String(), secrets...)

			// The event carries a reason code and, for a correctly signed
			// token, its jti and sub: never an unverified claim, never the
			// token.
			want := httpx.Event{Reason: tc.reason, Location: httpx.FromHeader, Method: http.MethodGet, Path: "/me", Err: tc.err}
			if tc.signed {
				want.Subject, want.TokenID = "alice", tok.ID
			}
			if diff := cmp.Diff([]httpx.Event{want}, s.events.all(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for _, ev := range s.events.all() {
				atkNoLeak(t, "the event", fmt.Sprintf("%+v", ev), atkSegments(tok.Raw)...)
				atkNoLeak(t, "the event error", ev.Err.Error(), atkSegments(tok.Raw)...)
			}
			logText := s.logText()
			if !strings.Contains(logText, `"reason":"`+string(tc.reason)+`"`) {
				t.Errorf("the log has no reason %q: %s", tc.reason, logText)
			}
			atkNoLeak(t, "the log", logText, atkSegments(tok.Raw)...)
		})
	}
}

// TestUnknownKIDLooksLikeBadSignature covers D8: an unknown kid and a bad
// signature get byte-identical responses, so kids cannot be enumerated.
func TestUnknownKIDLooksLikeBadSignature(t *testing.T) {
	t.Parallel()
	t.Run("D8/unknown-kid-and-bad-signature-are-byte-identical", func(t *testing.T) {
		t.Parallel()
		s := atkNewSite(t, httpx.WithLocations(httpx.FromHeader))
		bad := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(atkSignedBy("k1")(t, s.e).Raw)))
		unknown := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(atkSignedBy("k2")(t, s.e).Raw)))
		if bad.Code != unknown.Code {
			t.Errorf("status: bad signature %d, unknown kid %d", bad.Code, unknown.Code)
		}
		if diff := cmp.Diff(bad.Header(), unknown.Header()); diff != "" {
			t.Errorf("headers differ (-bad signature +unknown kid):\n%s", diff)
		}
		if !bytes.Equal(bad.Body.Bytes(), unknown.Body.Bytes()) {
			t.Errorf("bodies differ: %q and %q", bad.Body, unknown.Body)
		}
	})
}
