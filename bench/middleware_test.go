package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/jwtauth/v5"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// route is one protected route on one side: the handler chain and a
// request carrying "Authorization: Bearer <token>" with a token that side
// minted (HS256, the fixture's claims).
type route struct {
	name    string
	handler http.Handler
	req     *http.Request
}

// middlewareRoutes builds the routes of BenchmarkMiddleware. Every handler
// reads the typed custom claims from the request context and answers 204.
func middlewareRoutes(tb testing.TB) []route {
	tb.Helper()
	k := keys["HS256"]()
	newReq := func(tok string) *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/me", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		return r
	}

	// bare: the handler alone, no authentication.
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})

	// typedjwt: httpx.New(verifier) + auth.Required(handler).
	key := typedjwtKey(k)
	tjTok := mustToken(tb, typedjwtSide(k, fxRoles))
	auth, err := httpx.New(newTypedjwtVerifier(key))
	if err != nil {
		tb.Fatal(err)
	}
	tjHandler := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := jwtx.From[Claims](r.Context())
		if !ok || c.Tenant == "" || len(c.Roles) == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))

	// jwtauth: jwtauth.Verifier(ja) + jwtauth.Authenticator(ja) with the
	// same secret, validating exp (required), nbf, iat, iss, aud, sub and
	// the type claim; the handler reads the claims into typed values.
	ja := jwtauth.New("HS256", k.secret, nil,
		jwt.WithIssuer(fxIssuer),
		jwt.WithAudience(fxAudience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.SubjectKey),
		jwt.WithClaimValue("type", "access"),
	)
	t, err := jwxNewToken(fxRoles)
	if err != nil {
		tb.Fatal(err)
	}
	claims, err := t.AsMap(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	_, jaTok, err := ja.Encode(claims)
	if err != nil {
		tb.Fatal(err)
	}
	jaHandler := jwtauth.Verifier(ja)(jwtauth.Authenticator(ja)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := r.Context().Value(jwtauth.TokenCtxKey).(jwt.Token)
		if !ok {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if res, err := jwxResult(t); err != nil || res.Tenant == "" || len(res.Roles) == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})))

	return []route{
		{name: "bare", handler: bare, req: newReq("")},
		{name: "typedjwt", handler: tjHandler, req: newReq(tjTok)},
		{name: "jwtauth", handler: jaHandler, req: newReq(jaTok)},
	}
}

// checkRoute serves one request and fails unless the handler answered 204.
func checkRoute(tb testing.TB, rt route) {
	tb.Helper()
	rec := httptest.NewRecorder()
	rt.handler.ServeHTTP(rec, rt.req)
	if rec.Code != http.StatusNoContent {
		tb.Fatalf("%s: status %d, want 204; body %q", rt.name, rec.Code, rec.Body.String())
	}
}

// BenchmarkMiddleware serves one authenticated request (HS256 token in the
// Authorization header) through each side's net/http middleware, with a
// reused request and recorder; "bare" is the handler without middleware.
func BenchmarkMiddleware(b *testing.B) {
	for _, rt := range inOrder(middlewareRoutes(b)) {
		b.Run(rt.name, func(b *testing.B) {
			checkRoute(b, rt)
			h, req := rt.handler, rt.req
			rec := httptest.NewRecorder()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.ServeHTTP(rec, req)
			}
			b.StopTimer()
			checkRoute(b, rt)
		})
	}
}

// BenchmarkParallelMiddleware is BenchmarkMiddleware under b.RunParallel,
// one request and recorder per goroutine; run it with -cpu=1,2,...
func BenchmarkParallelMiddleware(b *testing.B) {
	for _, rt := range inOrder(middlewareRoutes(b)) {
		if rt.name == "bare" {
			continue
		}
		b.Run(rt.name, func(b *testing.B) {
			checkRoute(b, rt)
			h := rt.handler
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req := rt.req.Clone(context.Background())
				rec := httptest.NewRecorder()
				for pb.Next() {
					h.ServeHTTP(rec, req)
				}
			})
		})
	}
}
