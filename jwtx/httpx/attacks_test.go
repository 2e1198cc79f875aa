package httpx_test

// The victim site of the attack-suite tests for the HTTP entries of the
// catalogue (see SECURITY.md): B6, B16, C11 and D1 to D8, each named by the
// behaviour it checks, with the catalogue id as the first element of its
// subtest names ("D6/rotation"). They drive a real http.ServeMux built
// with httpx.New. D5 (fingerprint binding) is not offered by the library
// and has no test; see SECURITY.md. Requests are built as the catalogue
// writes them; the helpers of setup_test.go, csrf_test.go and
// cookies_test.go are reused, and the helpers of the attack files start
// with atk.

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkEvilOrigin is the attacker's site.
const atkEvilOrigin = "https://evil.test"

// atkSite is the victim application: a ServeMux whose routes go through
// one Auth, with cookie sessions (cookies first, then the header), a
// revocation store for logout, and every event recorded and logged.
type atkSite struct {
	e      *appEnv
	auth   *httpx.Auth[User, Claims]
	mux    *http.ServeMux
	store  *memStore
	events eventLog
	log    bytes.Buffer // SlogEvents output; read only after the requests
	logMu  sync.Mutex
	// reached counts the calls of each protected handler, by route.
	reached sync.Map // string -> *atomic.Int64
	// ctxLeak is set when an error handler finds verified values in the
	// request context of a refused request.
	ctxLeak atomic.Bool
}

// atkNewSite builds the site on a fresh env. opts come after the site's
// own options, so they win (WithLocations in particular).
func atkNewSite(tb testing.TB, opts ...httpx.Option) *atkSite {
	tb.Helper()
	store := newMemStore()
	return atkNewSiteOn(tb, newEnv(tb, jwtx.WithRevocation(store)), store, opts...)
}

// atkNewSiteOn builds the site on e, whose Verifier asks store.
func atkNewSiteOn(tb testing.TB, e *appEnv, store *memStore, opts ...httpx.Option) *atkSite {
	tb.Helper()
	s := &atkSite{e: e, store: store, mux: http.NewServeMux()}
	logger := slog.New(slog.NewJSONHandler(&atkLocked{w: &s.log, mu: &s.logMu}, nil))
	logEvent := httpx.SlogEvents(logger)
	// Every refusal goes through a handler that first checks that the
	// request context carries no verified value (C11), then answers as
	// DefaultErrors does.
	deflt := httpx.DefaultErrors("api")
	errorHandler := func(w http.ResponseWriter, r *http.Request, err error) {
		if _, ok := jwtx.From[Claims](r.Context()); ok {
			s.ctxLeak.Store(true)
		}
		if _, ok := jwtx.RawFrom(r.Context()); ok {
			s.ctxLeak.Store(true)
		}
		if _, ok := jwtx.UserFrom[User](r.Context()); ok {
			s.ctxLeak.Store(true)
		}
		deflt(w, r, err)
	}
	base := []httpx.Option{
		httpx.WithLocations(httpx.FromCookie, httpx.FromHeader),
		httpx.WithRevoker(s.store),
		httpx.WithErrorHandler(errorHandler),
		httpx.WithEvents(func(ctx context.Context, ev httpx.Event) {
			s.events.record(ctx, ev)
			logEvent(ctx, ev)
		}),
	}
	s.auth = s.e.Auth(tb, append(base, opts...)...)
	a := s.auth
	s.mux.Handle("/api/transfer", a.Required(s.counted("/api/transfer", whoami)))
	s.mux.Handle("GET /me", a.Required(s.counted("/me", whoami)))
	s.mux.Handle("GET /feed", a.Optional(s.counted("/feed", whoami)))
	s.mux.Handle("POST /password", a.Fresh(s.counted("/password", whoami)))
	s.mux.Handle("GET /refresh-only", a.RequireRefresh(s.counted("/refresh-only", whoami)))
	s.mux.Handle("GET /staff", a.Authorize(func(context.Context, Claims, User) error {
		s.count("/staff check")
		return nil
	})(s.counted("/staff", whoami)))
	s.mux.Handle("GET /hf", a.HandlerFunc(func(w http.ResponseWriter, r *http.Request, c Claims, u User) {
		s.count("/hf")
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"sub": c.Subject, "user": u.Name})
	}))
	s.mux.Handle("POST /refresh", a.RefreshHandler(s.e.Issuer))
	s.mux.Handle("POST /logout", a.LogoutHandler())
	s.mux.Handle("POST /login", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pair, err := s.e.Issuer.Pair(r.Context(), userOf("alice"))
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
			return
		}
		a.SetCookies(w, pair.Access, pair.Refresh)
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "logged in"})
	}))
	return s
}

// atkLocked serialises writes to a buffer shared by parallel requests.
type atkLocked struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *atkLocked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (s *atkSite) count(route string) {
	c, _ := s.reached.LoadOrStore(route, new(atomic.Int64))
	c.(*atomic.Int64).Add(1)
}

// calls returns how often route's handler (or check) ran.
func (s *atkSite) calls(route string) int64 {
	c, ok := s.reached.Load(route)
	if !ok {
		return 0
	}
	return c.(*atomic.Int64).Load()
}

// counted wraps h so that its calls are counted under route.
func (s *atkSite) counted(route string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.count(route)
		h(w, r)
	})
}

// logText returns what SlogEvents wrote so far.
func (s *atkSite) logText() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// atkVictim is what the victim's browser sends with every request to the
// site, cross-site requests included: the access cookie and its CSRF
// cookie (readable only by the site's own JavaScript).
func atkVictim(tok jwtx.Token) []reqOption {
	return []reqOption{cookie(accessCookie, tok.Raw), cookie(accessCSRFCookie, tok.CSRF)}
}

// atkCrossSite are the headers a browser adds to a request that a page
// on atkEvilOrigin makes.
func atkCrossSite() []reqOption {
	return []reqOption{header("Origin", atkEvilOrigin), header("Sec-Fetch-Site", "cross-site"), header("Referer", atkEvilOrigin+"/lure")}
}

// atkOpts concatenates request options.
func atkOpts(groups ...[]reqOption) []reqOption {
	var out []reqOption
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// atkNoLeak fails when text carries any of the secrets (tokens, their
// segments, claim values that must not be echoed).
func atkNoLeak(tb testing.TB, where, text string, secrets ...string) {
	tb.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			tb.Errorf("%s carries %q:\n%s", where, s, text)
		}
	}
}

// atkRevokedCount returns the number of tokens revoked in the store.
func atkRevokedCount(m *memStore) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.revoked)
}

// atkSegments returns the token and its segments, for leak checks.
func atkSegments(tok string) []string { return append([]string{tok}, strings.Split(tok, ".")...) }

// atkRequest is one request of a table: method, target, body and options.
type atkRequest struct {
	method, target, body string
	opts                 []reqOption
}

func (q atkRequest) build() *http.Request {
	var body io.Reader
	if q.body != "" {
		body = strings.NewReader(q.body)
	}
	return newRequest(q.method, q.target, body, q.opts...)
}

// atkCase is one request of a table against the victim's session: alice
// is logged in, and the attacker, bob, has a session of his own.
type atkCase struct {
	name string
	opts []httpx.Option // for the site, after its own
	// request builds the request from the victim's access token and the
	// attacker's own.
	request func(victim, attacker jwtx.Token) atkRequest
	want    result
	calls   int64 // how often the state-changing handler, /api/transfer, runs
}

// atkRun runs the cases in parallel subtests, each on a site of its own,
// and checks the result and the calls of /api/transfer. With csrf, it also
// checks that a 403 is the CSRF refusal, with a csrf event for the
// victim's verified token, and that no response carries the victim's
// token.
func atkRun(t *testing.T, csrf bool, cases []atkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := atkNewSite(t, tc.opts...)
			victim, attacker := s.e.access(t, "alice"), s.e.access(t, "bob")
			q := tc.request(victim, attacker)
			rec := testutil.Serve(s.mux, q.build())
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", q.method, q.target, diff)
			}
			if got := s.calls("/api/transfer"); got != tc.calls {
				t.Errorf("the state-changing handler ran %d times, want %d", got, tc.calls)
			}
			if !csrf {
				return
			}
			if tc.want.Status == http.StatusForbidden {
				want := []httpx.Event{{Reason: httpx.ReasonCSRF, Location: httpx.FromCookie, Method: q.method, Path: "/api/transfer",
					Subject: "alice", TokenID: victim.ID, Err: httpx.ErrCSRF}}
				if diff := cmp.Diff(want, s.events.all(), cmpopts.EquateErrors()); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
			}
			checkNoLeak(t, rec, victim.Raw)
		})
	}
}
