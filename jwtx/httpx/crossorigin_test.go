package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// TestCrossOriginProtection refuses cross-site cookie requests by Fetch
// Metadata and Origin before the CSRF value is even compared, and leaves
// header tokens and trusted origins alone.
func TestCrossOriginProtection(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return now }))
	key, err := jwtx.NewKey(jwtx.HS256, []byte("cross-origin-test-secret-32-bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, clock, jwtx.WithCSRF(true))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key, clock)
	if err != nil {
		t.Fatal(err)
	}
	protect := http.NewCrossOriginProtection()
	if err := protect.AddTrustedOrigin("https://partner.example"); err != nil {
		t.Fatal(err)
	}
	var reasons []httpx.Reason
	auth, err := httpx.New(ver, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader), httpx.WithCrossOriginProtection(protect),
		httpx.WithEvents(func(_ context.Context, e httpx.Event) { reasons = append(reasons, e.Reason) }))
	if err != nil {
		t.Fatal(err)
	}
	h := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	names := auth.Cookies()
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
		reasons = nil
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
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if diff := cmp.Diff([]any{tc.wantStatus, []httpx.Reason{tc.wantReason}}, []any{rec.Code, reasons}); diff != "" {
			t.Errorf("%s: [status, events] (-want +got):\n%s", tc.name, diff)
		}
	}
	logout := auth.LogoutHandler()
	req := httptest.NewRequest("POST", "https://api.example/logout", nil)
	req.AddCookie(&http.Cookie{Name: names.AccessName, Value: tok.Raw})
	req.Header.Set(httpx.DefaultCSRFHeader, tok.CSRF)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	logout.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cross-site logout: %d with %d cookies cleared, want 403 and none", rec.Code, len(rec.Result().Cookies()))
	}
	if _, err := httpx.New(ver, httpx.WithCrossOriginProtection(nil)); err == nil {
		t.Error("WithCrossOriginProtection(nil) accepted")
	}
}
