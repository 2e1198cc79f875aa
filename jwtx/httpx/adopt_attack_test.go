package httpx_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// adoptServer is a refresh endpoint with rotation and a logout endpoint
// over one MemoryStore, plus an Issuer without families that stands for
// the service before rotation was switched on (or for flask-jwt-extended):
// its refresh tokens carry no fam claim.
type adoptServer struct {
	*rotationServer
	store  *jwtx.MemoryStore
	legacy *testutil.Env[string, jwtx.RegisteredClaims]
}

func newAdoptServer(t *testing.T, opts ...jwtx.MemoryStoreOption) *adoptServer {
	t.Helper()
	clock := rotationClock()
	store, err := jwtx.NewMemoryStore(append([]jwtx.MemoryStoreOption{jwtx.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithClock(clock),
		testutil.WithIssuerOptions(jwtx.WithRotation(store)), testutil.WithVerifierOptions(jwtx.WithRevocation(store)))
	auth := env.Auth(t, httpx.WithRotation(store), httpx.WithRevoker(store), httpx.WithLocations(httpx.FromHeader, httpx.FromBody))
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", auth.RefreshHandler(env.Issuer))
	mux.Handle("POST /logout", auth.LogoutHandler())
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "ok"})
	})))
	legacy := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithKey(env.Key), testutil.WithClock(clock))
	return &adoptServer{rotationServer: &rotationServer{Env: env, mux: mux}, store: store, legacy: legacy}
}

// TestAdoptedTokenNotRevivedAfterEviction: a refresh token without fam is
// adopted into family "adopted.<jti>" and retired by its first rotation.
// When the store later drops that live family to make room (here the
// subject limit, as the user logs in on more devices), the retired token
// is no longer known as retired: presented again, Start finds no family,
// adopts it a second time and hands its holder a new live session. A
// family of the Issuer's own fails closed in the same case (Rotate of an
// unknown family); an adopted one fails open.
func TestAdoptedTokenNotRevivedAfterEviction(t *testing.T) {
	t.Parallel()
	s := newAdoptServer(t, jwtx.WithSubjectLimit(2))
	old := s.legacy.Refresh(t, "alice")

	code, first := s.call(t, "POST", "/refresh", old.Raw)
	if code != http.StatusOK {
		t.Fatalf("first refresh of the token without fam: %d %v", code, first)
	}
	// alice logs in on two more devices; her oldest family yields.
	for range 2 {
		s.Clock.Advance(time.Minute)
		s.Pair(t, "alice")
	}
	if st := s.store.Stats(); st.Evicted == 0 {
		t.Fatalf("no family was evicted: %+v", st)
	}
	s.Clock.Advance(time.Minute)
	code, replay := s.call(t, "POST", "/refresh", old.Raw)
	if code != http.StatusUnauthorized {
		_, fresh := replay["refresh_token"]
		t.Errorf("retired token without fam replayed after its adopted family was evicted: %d (new refresh token: %v); want 401, not a new session", code, fresh)
	}
}

// TestLogoutWithUnadoptedTokenEndsAdoptedFamily: a thief who copied a
// refresh token without fam refreshes it first and gets a rotated token in
// family "adopted.<jti>". The owner then logs out with the token the
// client still holds, the original one. Logout revokes that token's jti
// only, as it names no family, and the thief's session in the adopted
// family lives on. A token of a family of the Issuer's own, presented to
// logout after its rotation, revokes the family and ends the thief's
// session.
func TestLogoutWithUnadoptedTokenEndsAdoptedFamily(t *testing.T) {
	t.Parallel()
	s := newAdoptServer(t)
	old := s.legacy.Refresh(t, "alice")

	code, stolen := s.call(t, "POST", "/refresh", old.Raw) // the thief
	if code != http.StatusOK {
		t.Fatalf("thief's refresh: %d %v", code, stolen)
	}
	s.Clock.Advance(time.Minute)
	if code, body := s.call(t, "POST", "/logout", old.Raw); code != http.StatusOK {
		t.Fatalf("owner's logout: %d %v", code, body)
	}
	s.Clock.Advance(time.Minute)
	code, _ = s.call(t, "POST", "/refresh", stolen["refresh_token"].(string))
	if code != http.StatusUnauthorized {
		t.Errorf("thief's adopted session after the owner logged out with the original token: refresh answered %d; want 401", code)
	}
	if code, _ := s.call(t, "GET", "/me", stolen["access_token"].(string)); code != http.StatusUnauthorized {
		t.Errorf("thief's access token after the owner's logout: %d; want 401", code)
	}
}

// TestLogoutWithOwnFamilyTokenEndsRotatedSession is the control of the
// test above, with a token of the Issuer's own family: it holds.
func TestLogoutWithOwnFamilyTokenEndsRotatedSession(t *testing.T) {
	t.Parallel()
	s := newAdoptServer(t)
	login := s.Pair(t, "alice")
	code, stolen := s.call(t, "POST", "/refresh", login.Refresh.Raw)
	if code != http.StatusOK {
		t.Fatalf("thief's refresh: %d %v", code, stolen)
	}
	if code, body := s.call(t, "POST", "/logout", login.Refresh.Raw); code != http.StatusOK {
		t.Fatalf("owner's logout: %d %v", code, body)
	}
	if code, body := s.call(t, "POST", "/refresh", stolen["refresh_token"].(string)); code != http.StatusUnauthorized {
		t.Errorf("thief's session after logout: %d %v; want 401", code, body)
	}
}
