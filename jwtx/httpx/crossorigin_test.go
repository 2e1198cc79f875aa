package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestCrossOriginProtection refuses cross-site cookie requests by Fetch
// Metadata and Origin before the CSRF value is even compared, and leaves
// header tokens and trusted origins alone.
func TestCrossOriginProtection(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithIssuerOptions(jwtx.WithCSRF(true)))
	protect := http.NewCrossOriginProtection()
	if err := protect.AddTrustedOrigin("https://partner.example"); err != nil {
		t.Fatal(err)
	}
	// newAuth returns an Auth that records the reason of each event in
	// reasons.
	newAuth := func(t *testing.T, reasons *[]httpx.Reason) *httpx.Auth[string, jwtx.RegisteredClaims] {
		return env.Auth(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader), httpx.WithCrossOriginProtection(protect),
			httpx.WithEvents(func(_ context.Context, e httpx.Event) { *reasons = append(*reasons, e.Reason) }))
	}
	tok := env.Access(t, "alice")
	names := newAuth(t, new([]httpx.Reason)).Cookies()
	for _, tc := range []struct {
		name       string
		method     string
		cookie     bool
		csrf       string
		headers    map[string]string
		wantStatus int
		wantReason httpx.Reason
	}{
		{name: "cross-site POST with the right CSRF value", method: "POST", cookie: true, csrf: tok.CSRF,
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 403, wantReason: httpx.ReasonCrossOrigin},
		{name: "Origin of another site", method: "DELETE", cookie: true, csrf: tok.CSRF,
			headers: map[string]string{"Origin": "https://evil.test"}, wantStatus: 403, wantReason: httpx.ReasonCrossOrigin},
		{name: "trusted origin", method: "POST", cookie: true, csrf: tok.CSRF,
			headers: map[string]string{"Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"}, wantStatus: 204, wantReason: httpx.ReasonAuthenticated},
		{name: "same origin still needs the CSRF value", method: "POST", cookie: true,
			headers: map[string]string{"Sec-Fetch-Site": "same-origin"}, wantStatus: 403, wantReason: httpx.ReasonCSRF},
		{name: "same origin with the CSRF value", method: "POST", cookie: true, csrf: tok.CSRF,
			headers: map[string]string{"Sec-Fetch-Site": "same-origin"}, wantStatus: 204, wantReason: httpx.ReasonAuthenticated},
		{name: "cross-site GET is safe", method: "GET", cookie: true,
			headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, wantStatus: 204, wantReason: httpx.ReasonAuthenticated},
		{name: "header token from another origin", method: "POST",
			headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer " + tok.Raw}, wantStatus: 204, wantReason: httpx.ReasonAuthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var reasons []httpx.Reason
			h := newAuth(t, &reasons).Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
			req := httptest.NewRequest(tc.method, "https://api.example/notes", nil)
			if tc.cookie {
				req.AddCookie(&http.Cookie{Name: names.AccessName, Value: tok.Raw})
			}
			if tc.csrf != "" {
				req.Header.Set(httpx.DefaultCSRFHeader, tc.csrf)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := testutil.Serve(h, req)
			if diff := cmp.Diff([]any{tc.wantStatus, []httpx.Reason{tc.wantReason}}, []any{rec.Code, reasons}); diff != "" {
				t.Errorf("[status, events] (-want +got):\n%s", diff)
			}
		})
	}
	logout := newAuth(t, new([]httpx.Reason)).LogoutHandler()
	req := httptest.NewRequest("POST", "https://api.example/logout", nil)
	req.AddCookie(&http.Cookie{Name: names.AccessName, Value: tok.Raw})
	req.Header.Set(httpx.DefaultCSRFHeader, tok.CSRF)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := testutil.Serve(logout, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cross-site logout: %d with %d cookies cleared, want 403 and none", rec.Code, len(rec.Result().Cookies()))
	}
	if _, err := httpx.New(env.Verifier, httpx.WithCrossOriginProtection(nil)); err == nil {
		t.Error("WithCrossOriginProtection(nil) accepted")
	}
}
