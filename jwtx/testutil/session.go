package testutil

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Settings of the sessions SessionContract drives.
const (
	sessionSteps      = 40
	sessionLeeway     = 2 * time.Minute
	sessionWindow     = 5 * time.Minute
	sessionRefreshTTL = 24 * time.Hour
)

// SessionContract checks a [Store] as the session layer uses it, against a
// reference model of which tokens must be refused. Each sequence is a run
// of random events on a cookie session served by httpx (login, refresh,
// two refreshes of one token at once, replay of a retired refresh token,
// logout, "log out everywhere", a visit that renews the access cookie
// implicitly, and clock steps across exp and exp plus leeway); after every
// event, each token the model calls dead must be refused by the Verifier
// and each token it calls live accepted. The Verifier allows two minutes
// of leeway; refresh tokens live a day.
//
// sequences random sequences run, seeded 1 to sequences, after the
// regression seeds given (seeds of earlier failures, kept so they stay
// fixed). A failure names its seed and the events that led to it.
// newStore is as for [StoreContract]: each call returns a store of its own
// that computes time with clock, and keeps tokens of a day.
func SessionContract(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store, sequences int, regressions ...uint64) {
	t.Helper()
	seeds := append([]uint64(nil), regressions...)
	for i := range sequences {
		seeds = append(seeds, uint64(i+1))
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			m := newSessionModel(t, newStore, seed)
			for range sessionSteps {
				m.step()
				m.check()
			}
		})
	}
}

// sessionModel is the reference model and the system under test.
type sessionModel struct {
	t        *testing.T
	rng      *rand.Rand
	seed     uint64
	clock    *Clock
	store    Store
	iss      *jwtx.Issuer[string, jwtx.RegisteredClaims]
	ver      *jwtx.Verifier[string, jwtx.RegisteredClaims]
	cookies  httpx.Cookies
	mux      *http.ServeMux
	sessions []*modelSession
	cutoffs  map[string]time.Time
	events   []string
}

// modelSession is one login as the model sees it.
type modelSession struct {
	user    string
	dead    bool         // logged out, or its family revoked by reuse
	access  jwtx.Token   // the latest access token
	current jwtx.Token   // the refresh token that may rotate next
	tokens  []jwtx.Token // every token of the login
}

func newSessionModel(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store, seed uint64) *sessionModel {
	t.Helper()
	clock := NewClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
	store := newStore(t, clock)
	if store == nil {
		t.Fatal("SessionContract: newStore returned nil")
	}
	key := NewKey(t, jwtx.HS256)
	shared := jwtx.WithClock(clock)
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key.Private(), shared, jwtx.WithCSRF(true),
		jwtx.WithRotation(store), jwtx.WithRefreshTTL(sessionRefreshTTL))
	if err != nil {
		t.Fatalf("SessionContract: %v", err)
	}
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key.Public(), shared,
		jwtx.WithRevocation(store), jwtx.WithLeeway(sessionLeeway))
	if err != nil {
		t.Fatalf("SessionContract: %v", err)
	}
	auth, err := httpx.New(ver, httpx.WithLocations(httpx.FromCookie), httpx.WithRotation(store),
		httpx.WithRevoker(store), httpx.WithImplicitRefresh(iss, sessionWindow))
	if err != nil {
		t.Fatalf("SessionContract: %v", err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /auth/refresh", auth.RefreshHandler(iss))
	mux.Handle("POST /auth/logout", auth.LogoutHandler())
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
	})))
	return &sessionModel{
		t: t, rng: rand.New(rand.NewPCG(seed, seed)), seed: seed, clock: clock, store: store,
		iss: iss, ver: ver, cookies: auth.Cookies(), mux: mux, cutoffs: map[string]time.Time{},
	}
}

// step runs one random event.
func (m *sessionModel) step() {
	s := m.pick()
	switch n := m.rng.IntN(100); {
	case n < 15 || s == nil:
		m.login([]string{"alice", "bob"}[m.rng.IntN(2)])
	case n < 35:
		m.refresh(s)
	case n < 42:
		m.refreshTwice(s)
	case n < 50:
		m.replay(s)
	case n < 57:
		m.logout(s)
	case n < 62:
		m.logoutEverywhere(s.user)
	case n < 80:
		m.visit(s)
	default:
		steps := []time.Duration{10 * time.Second, time.Minute, sessionLeeway, 9 * time.Minute, 14 * time.Minute,
			16 * time.Minute, time.Hour, 12 * time.Hour, 25 * time.Hour}
		d := steps[m.rng.IntN(len(steps))]
		m.clock.Advance(d)
		m.logf("clock +%v", d)
	}
}

// pick returns a random session, or nil before the first login.
func (m *sessionModel) pick() *modelSession {
	if len(m.sessions) == 0 {
		return nil
	}
	return m.sessions[m.rng.IntN(len(m.sessions))]
}

func (m *sessionModel) logf(format string, args ...any) {
	m.events = append(m.events, fmt.Sprintf("%v: ", m.clock.Now().Format(time.TimeOnly))+fmt.Sprintf(format, args...))
}

// fail reports a difference between the model and the system.
func (m *sessionModel) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("seed %d: %s\nevents:\n  %s", m.seed, fmt.Sprintf(format, args...), strings.Join(m.events, "\n  "))
}

// live reports whether the model expects tok of s to verify now.
func (m *sessionModel) live(s *modelSession, tok jwtx.Token) bool {
	if s.dead || !m.clock.Now().Before(tok.ExpiresAt.Add(sessionLeeway)) {
		return false
	}
	cut, ok := m.cutoffs[s.user]
	return !ok || tok.IssuedAt.After(cut)
}

// check verifies every token issued so far against the model.
func (m *sessionModel) check() {
	m.t.Helper()
	for i, s := range m.sessions {
		for _, tok := range s.tokens {
			want := jwtx.ExpectAccess
			if tok.Type == jwtx.Refresh {
				want = jwtx.ExpectRefresh
			}
			_, _, err := m.ver.VerifyClaims(m.t.Context(), tok.Raw, want)
			if live := m.live(s, tok); live != (err == nil) {
				m.fail("session %d: %s token %s (iat %v, exp %v): model says live=%v, verifier says %v",
					i, tok.Type, tok.ID, tok.IssuedAt.Format(time.TimeOnly), tok.ExpiresAt.Format(time.TimeOnly), live, err)
			}
		}
	}
}

func (m *sessionModel) login(user string) {
	pair, err := m.iss.Pair(m.t.Context(), user)
	if err != nil {
		m.fail("login: %v", err)
	}
	m.sessions = append(m.sessions, &modelSession{user: user, access: pair.Access, current: pair.Refresh,
		tokens: []jwtx.Token{pair.Access, pair.Refresh}})
	m.logf("login %s: session %d", user, len(m.sessions)-1)
}

// serve sends a request carrying tokens as cookies.
func (m *sessionModel) serve(method, path string, tokens ...jwtx.Token) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	AddTokenCookies(m.t, r, m.cookies, tokens...)
	rec := httptest.NewRecorder()
	m.mux.ServeHTTP(rec, r)
	return rec
}

// issued returns the tokens a response sets as cookies.
func (m *sessionModel) issued(rec *httptest.ResponseRecorder) (access, refresh jwtx.Token) {
	for _, c := range rec.Result().Cookies() {
		switch {
		case c.Value == "":
		case c.Name == m.cookies.AccessName:
			access = m.decode(c.Value)
		case c.Name == m.cookies.RefreshName:
			refresh = m.decode(c.Value)
		}
	}
	return access, refresh
}

// decode reads a token's registered claims without verifying it.
func (m *sessionModel) decode(raw string) jwtx.Token {
	parts := strings.Split(raw, ".")
	var c jwtx.RegisteredClaims
	payload, err := base64.RawURLEncoding.DecodeString(parts[min(1, len(parts)-1)])
	if err == nil {
		err = json.Unmarshal(payload, &c)
	}
	if err != nil || len(parts) != 3 {
		m.fail("a cookie holds no token: %v", err)
	}
	return jwtx.Token{Raw: raw, Type: c.Type, ID: c.ID, Subject: c.Subject, IssuedAt: c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time, CSRF: c.CSRF, Family: c.Family}
}

// rotated records the tokens of a successful refresh.
func (m *sessionModel) rotated(s *modelSession, rec *httptest.ResponseRecorder) {
	access, refresh := m.issued(rec)
	if access.Raw == "" || refresh.Raw == "" {
		m.fail("refresh answered %d without both cookies", rec.Code)
	}
	s.access, s.current = access, refresh
	s.tokens = append(s.tokens, access, refresh)
}

func (m *sessionModel) refresh(s *modelSession) {
	want := m.live(s, s.current)
	rec := m.serve("POST", "/auth/refresh", s.current)
	m.logf("refresh session %d with %s: %d", m.index(s), s.current.ID, rec.Code)
	switch {
	case want && rec.Code == http.StatusOK:
		m.rotated(s, rec)
	case want || rec.Code != http.StatusUnauthorized:
		m.fail("refresh with a token the model calls live=%v: %d %s", want, rec.Code, rec.Body)
	}
}

// refreshTwice sends two refreshes with the same token at once: one wins,
// the other is a reuse that revokes the family, the winner's tokens too.
func (m *sessionModel) refreshTwice(s *modelSession) {
	want := m.live(s, s.current)
	var recs [2]*httptest.ResponseRecorder
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() { recs[i] = m.serve("POST", "/auth/refresh", s.current) })
	}
	wg.Wait()
	m.logf("two refreshes of session %d with %s at once: %d, %d", m.index(s), s.current.ID, recs[0].Code, recs[1].Code)
	codes := map[int]int{recs[0].Code: 1}
	codes[recs[1].Code]++
	if !want {
		if codes[http.StatusUnauthorized] != 2 {
			m.fail("two refreshes with a dead token: %v, want two 401", codes)
		}
		return
	}
	if codes[http.StatusOK] != 1 || codes[http.StatusUnauthorized] != 1 {
		m.fail("two refreshes with one live token: %v, want one 200 and one 401", codes)
	}
	for _, rec := range recs {
		if rec.Code == http.StatusOK {
			m.rotated(s, rec)
		}
	}
	s.dead = true
}

// replay presents a retired refresh token of s: reuse detection revokes
// the family, if the token still verifies.
func (m *sessionModel) replay(s *modelSession) {
	var retired []jwtx.Token
	for _, tok := range s.tokens {
		if tok.Type == jwtx.Refresh && tok.ID != s.current.ID {
			retired = append(retired, tok)
		}
	}
	if len(retired) == 0 {
		m.refresh(s)
		return
	}
	tok := retired[m.rng.IntN(len(retired))]
	verifies := m.live(s, tok)
	rec := m.serve("POST", "/auth/refresh", tok)
	m.logf("replay %s on session %d: %d", tok.ID, m.index(s), rec.Code)
	if rec.Code != http.StatusUnauthorized {
		m.fail("replay of a retired refresh token: %d %s, want 401", rec.Code, rec.Body)
	}
	if verifies {
		s.dead = true
	}
}

func (m *sessionModel) logout(s *modelSession) {
	rec := m.serve("POST", "/auth/logout", s.access, s.current)
	m.logf("logout session %d: %d", m.index(s), rec.Code)
	if rec.Code != http.StatusOK {
		m.fail("logout: %d %s, want 200", rec.Code, rec.Body)
	}
	s.dead = true
}

func (m *sessionModel) logoutEverywhere(user string) {
	now := m.clock.Now()
	if err := m.store.RevokeSubject(m.t.Context(), user, now); err != nil {
		m.fail("log out everywhere: %v", err)
	}
	if now.After(m.cutoffs[user]) {
		m.cutoffs[user] = now
	}
	m.logf("log out everywhere %s", user)
}

// visit sends the access cookie to a protected page; near its expiry the
// answer carries a renewed access token, of the same login.
func (m *sessionModel) visit(s *modelSession) {
	want := m.live(s, s.access)
	rec := m.serve("GET", "/me", s.access)
	m.logf("visit with session %d's access %s: %d", m.index(s), s.access.ID, rec.Code)
	switch {
	case want != (rec.Code == http.StatusOK):
		m.fail("visit with an access token the model calls live=%v: %d %s", want, rec.Code, rec.Body)
	case !want:
		return
	}
	renewed, _ := m.issued(rec)
	near := s.access.ExpiresAt.Sub(m.clock.Now()) <= sessionWindow
	switch {
	case near != (renewed.Raw != ""):
		m.fail("visit %v before exp: renewed=%v, want %v", s.access.ExpiresAt.Sub(m.clock.Now()), renewed.Raw != "", near)
	case near:
		s.access = renewed
		s.tokens = append(s.tokens, renewed)
		m.logf("  renewed as %s", renewed.ID)
	}
}

// index returns the number of s in the log.
func (m *sessionModel) index(s *modelSession) int {
	for i, o := range m.sessions {
		if o == s {
			return i
		}
	}
	return -1
}
