package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// rsEpoch is when resource-server tokens are issued and verified.
var rsEpoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const rsIssuer = "https://id.test/"

// resourceServer is an Auth for RFC 9068 access tokens of one provider
// whose key it holds, at rsEpoch.
type resourceServer struct {
	key  *testutil.Key
	auth *httpx.Auth[jwtx.NoUser, jwtx.AccessTokenClaims]
}

func newResourceServer(tb testing.TB) *resourceServer {
	tb.Helper()
	key := testutil.NewKey(tb, jwtx.ES256, testutil.WithKeyID("k1"))
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](key.Public(), jwtx.WithIssuer(rsIssuer), jwtx.WithAudience("api"),
		jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(rsEpoch)))
	if err != nil {
		tb.Fatal(err)
	}
	auth, err := httpx.New(ver)
	if err != nil {
		tb.Fatal(err)
	}
	return &resourceServer{key: key, auth: auth}
}

// token signs an access token with extra claim members.
func (s *resourceServer) token(tb testing.TB, extra ...string) string {
	tb.Helper()
	claims := fmt.Sprintf(`{"iss":%q,"sub":"u1","aud":"api","client_id":"spa","iat":%d,"exp":%d`, rsIssuer, rsEpoch.Add(-time.Hour).Unix(), rsEpoch.Add(time.Hour).Unix())
	for _, e := range extra {
		claims += "," + e
	}
	return testutil.Sign(tb, s.key, `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`, claims+"}")
}

// answer is what a test checks of a response.
type rsAnswer struct {
	Status    int
	Challenge string
	Msg       string
}

func rsServe(tb testing.TB, h http.Handler, token string) rsAnswer {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, testutil.BearerRequest(tb, http.MethodGet, "/orders", token))
	var body struct {
		Msg string `json:"msg"`
	}
	if rec.Code != http.StatusOK {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			tb.Fatalf("body %q: %v", rec.Body, err)
		}
	}
	return rsAnswer{Status: rec.Code, Challenge: rec.Header().Get("WWW-Authenticate"), Msg: body.Msg}
}

var rsOK = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

func TestRequireScopes(t *testing.T) {
	t.Parallel()
	s := newResourceServer(t)
	const refused = `Bearer realm="api", error="insufficient_scope", error_description="insufficient scope"`
	for _, tc := range []struct {
		name   string
		match  httpx.ScopeMatch
		scopes []string
		claims []string
		want   rsAnswer
	}{
		{name: "all present", scopes: []string{"orders:read", "orders:write"}, claims: []string{`"scope":"orders:write profile orders:read"`}, want: rsAnswer{Status: 200}},
		{name: "one of two missing", scopes: []string{"orders:read", "orders:write"}, claims: []string{`"scope":"orders:read"`},
			want: rsAnswer{Status: 403, Challenge: refused + `, scope="orders:read orders:write"`, Msg: "insufficient scope"}},
		{name: "no scope claim", scopes: []string{"orders:read"},
			want: rsAnswer{Status: 403, Challenge: refused + `, scope="orders:read"`, Msg: "insufficient scope"}},
		{name: "prefix is not a scope", scopes: []string{"orders:read"}, claims: []string{`"scope":"orders:rea orders:readx"`},
			want: rsAnswer{Status: 403, Challenge: refused + `, scope="orders:read"`, Msg: "insufficient scope"}},
		{name: "case matters", scopes: []string{"orders:read"}, claims: []string{`"scope":"ORDERS:READ"`},
			want: rsAnswer{Status: 403, Challenge: refused + `, scope="orders:read"`, Msg: "insufficient scope"}},
		{name: "any of, one present", match: httpx.AnyScope, scopes: []string{"orders:read", "admin"}, claims: []string{`"scope":"admin"`}, want: rsAnswer{Status: 200}},
		{name: "any of, none present", match: httpx.AnyScope, scopes: []string{"orders:read", "admin"}, claims: []string{`"scope":"profile"`},
			want: rsAnswer{Status: 403, Challenge: refused + `, scope="orders:read admin"`, Msg: "insufficient scope"}},
		{name: "Okta's scp array", scopes: []string{"orders:read"}, claims: []string{`"scp":["orders:read"]`}, want: rsAnswer{Status: 200}},
		{name: "scope with a quote", scopes: []string{`a"b`}, claims: []string{`"scope":"a"`},
			want: rsAnswer{Status: 403, Challenge: `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`, Msg: "forbidden"}},
		{name: "no scopes", want: rsAnswer{Status: 403, Challenge: `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`, Msg: "forbidden"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rsServe(t, s.auth.RequireScopes(tc.match, tc.scopes...)(rsOK), s.token(t, tc.claims...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// A token that fails verification is refused as such, before its scopes
// are looked at.
func TestRequireScopesAfterVerification(t *testing.T) {
	t.Parallel()
	s := newResourceServer(t)
	got := rsServe(t, s.auth.RequireScopes(httpx.AllScopes, "orders:read")(rsOK), s.token(t, `"scope":"orders:read"`)+"x")
	if got.Status != http.StatusUnauthorized || !strings.Contains(got.Challenge, `error="invalid_token"`) || strings.Contains(got.Challenge, "scope=") {
		t.Errorf("answer = %+v, want 401 invalid_token without scope", got)
	}
}

// ScopeCheck works as a check of HandlerFunc and Authenticate too, and its
// refusals have their own reason, and RefusalHeader their challenge.
func TestScopeCheck(t *testing.T) {
	t.Parallel()
	s := newResourceServer(t)
	check := s.auth.ScopeCheck(httpx.AllScopes, "orders:read")
	h := s.auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c jwtx.AccessTokenClaims, _ jwtx.NoUser) {
		w.WriteHeader(http.StatusOK)
	}, check)
	if got := rsServe(t, h, s.token(t, `"scope":"orders:read"`)); got.Status != http.StatusOK {
		t.Errorf("HandlerFunc with the scope: %+v", got)
	}
	r := testutil.BearerRequest(t, http.MethodGet, "/orders", s.token(t, `"scope":"profile"`))
	_, err := s.auth.Authenticate(httptest.NewRecorder(), r, httpx.Required, check)
	var se *httpx.ScopeError
	if !errors.As(err, &se) || !errors.Is(err, httpx.ErrInsufficientScope) || !errors.Is(err, httpx.ErrForbidden) {
		t.Fatalf("Authenticate() = %v, want a *ScopeError wrapping ErrInsufficientScope and ErrForbidden", err)
	}
	if diff := cmp.Diff(&httpx.ScopeError{Match: httpx.AllScopes, Required: []string{"orders:read"}}, se); diff != "" {
		t.Errorf("ScopeError (-want +got):\n%s", diff)
	}
	if got := httpx.ReasonOf(err); got != httpx.ReasonInsufficientScope {
		t.Errorf("ReasonOf() = %q, want %q", got, httpx.ReasonInsufficientScope)
	}
	want := `Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="orders:read"`
	if got := s.auth.RefusalHeader(err).Get("WWW-Authenticate"); got != want {
		t.Errorf("RefusalHeader() = %s, want %s", got, want)
	}
	if _, err := s.auth.Authenticate(httptest.NewRecorder(), r, httpx.Required, s.auth.ScopeCheck(httpx.ScopeMatch(9), "x")); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("Authenticate(unknown match) = %v, want ErrConfig", err)
	}
	if err := check(context.Background(), jwtx.AccessTokenClaims{}, jwtx.NoUser{}); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("check without verified claims = %v, want ErrConfig", err)
	}
}
