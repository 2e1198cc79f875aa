package httpx_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// jwksClock returns the clock of a JWKS handler test.
func jwksClock() *testutil.Clock {
	return testutil.NewClock(time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC))
}

// jwksKey returns an ES256 signing key of the test's own with the given
// kid.
func jwksKey(tb testing.TB, kid string) *jwtx.Key {
	tb.Helper()
	return testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed(tb.Name()+"/"+kid), testutil.WithKeyID(kid)).Private()
}

// jwksRing returns a ring with the active key k2 and the retired key k1.
func jwksRing(tb testing.TB) *jwtx.KeyRing {
	tb.Helper()
	r, err := jwtx.NewKeyRing(jwksKey(tb, "k1"), jwtx.WithClock(jwksClock()))
	if err != nil {
		tb.Fatalf("NewKeyRing: %v", err)
	}
	if err := r.Rotate(jwksKey(tb, "k2"), time.Hour); err != nil {
		tb.Fatalf("Rotate: %v", err)
	}
	return r
}

// jwksResponse is what a test reads of a response.
type jwksResponse struct {
	Status       int
	ContentType  string
	CacheControl string
	Allow        string
	HasETag      bool
	Body         string
}

// jwksDo sends one request to h and returns the recorded response, with
// the response's ETag.
func jwksDo(tb testing.TB, h http.Handler, method string, header map[string]string) (jwksResponse, string) {
	tb.Helper()
	req := httptest.NewRequest(method, "/.well-known/jwks.json", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res := testutil.Serve(h, req).Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if cl := res.Header.Get("Content-Length"); cl != "" && method != http.MethodHead && cl != strconv.Itoa(len(body)) {
		tb.Errorf("Content-Length = %s, body has %d bytes", cl, len(body))
	}
	etag := res.Header.Get("ETag")
	return jwksResponse{
		Status:       res.StatusCode,
		ContentType:  res.Header.Get("Content-Type"),
		CacheControl: res.Header.Get("Cache-Control"),
		Allow:        res.Header.Get("Allow"),
		HasETag:      etag != "",
		Body:         string(body),
	}, etag
}

// jwksKIDs returns the kids of a JWKS document, sorted, and fails the test
// if any key carries a private or secret member.
func jwksKIDs(tb testing.TB, doc string) []string {
	tb.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal([]byte(doc), &set); err != nil {
		tb.Fatalf("JWKS %q: %v", doc, err)
	}
	var kids []string
	for _, k := range set.Keys {
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
			if _, ok := k[m]; ok {
				tb.Errorf("key %v carries the private member %q", k["kid"], m)
			}
		}
		kid, _ := k["kid"].(string)
		kids = append(kids, kid)
	}
	slices.Sort(kids)
	return kids
}

func TestJWKSHandlerGet(t *testing.T) {
	t.Parallel()
	ring := jwksRing(t)
	h := httpx.JWKSHandler(ring, 5*time.Minute)
	got, etag := jwksDo(t, h, http.MethodGet, nil)
	want := jwksResponse{
		Status:       http.StatusOK,
		ContentType:  "application/jwk-set+json",
		CacheControl: "public, max-age=300",
		HasETag:      true,
		Body:         got.Body,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) || len(etag) < 3 {
		t.Errorf("ETag = %s, want a quoted strong entity tag", etag)
	}
	if diff := cmp.Diff([]string{"k1", "k2"}, jwksKIDs(t, got.Body)); diff != "" {
		t.Errorf("published kids (-want +got):\n%s", diff)
	}
	set, err := jwtx.ParseJWKS([]byte(got.Body), "")
	if err != nil {
		t.Fatalf("ParseJWKS(body): %v", err)
	}
	if set.Len() != 2 {
		t.Errorf("ParseJWKS(body).Len() = %d, want 2", set.Len())
	}
	if again, etag2 := jwksDo(t, h, http.MethodGet, nil); again.Body != got.Body || etag2 != etag {
		t.Errorf("a second GET answered another body or ETag")
	}
}

func TestJWKSHandlerConditionalAndMethods(t *testing.T) {
	t.Parallel()
	ring := jwksRing(t)
	h := httpx.JWKSHandler(ring, time.Minute)
	full, etag := jwksDo(t, h, http.MethodGet, nil)
	ok := jwksResponse{Status: http.StatusOK, ContentType: "application/jwk-set+json", CacheControl: "public, max-age=60", HasETag: true, Body: full.Body}
	notModified := jwksResponse{Status: http.StatusNotModified, CacheControl: "public, max-age=60", HasETag: true}
	notAllowed := jwksResponse{
		Status:       http.StatusMethodNotAllowed,
		ContentType:  "application/json; charset=utf-8",
		CacheControl: "no-store",
		Allow:        "GET, HEAD",
		Body:         `{"msg":"method not allowed"}` + "\n",
	}
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		want   jwksResponse
	}{
		{name: "If-None-Match matches", method: http.MethodGet, header: map[string]string{"If-None-Match": etag}, want: notModified},
		{name: "If-None-Match in a list", method: http.MethodGet, header: map[string]string{"If-None-Match": `"other", ` + etag}, want: notModified},
		{name: "If-None-Match weak", method: http.MethodGet, header: map[string]string{"If-None-Match": "W/" + etag}, want: notModified},
		{name: "If-None-Match any", method: http.MethodGet, header: map[string]string{"If-None-Match": "*"}, want: notModified},
		{name: "If-None-Match other", method: http.MethodGet, header: map[string]string{"If-None-Match": `"other"`}, want: ok},
		{name: "If-None-Match unquoted", method: http.MethodGet, header: map[string]string{"If-None-Match": strings.Trim(etag, `"`)}, want: ok},
		{name: "HEAD", method: http.MethodHead, want: jwksResponse{Status: http.StatusOK, ContentType: "application/jwk-set+json", CacheControl: "public, max-age=60", HasETag: true}},
		{name: "HEAD, If-None-Match matches", method: http.MethodHead, header: map[string]string{"If-None-Match": etag}, want: notModified},
		{name: "POST", method: http.MethodPost, want: notAllowed},
		{name: "PUT", method: http.MethodPut, want: notAllowed},
		{name: "DELETE", method: http.MethodDelete, want: notAllowed},
		{name: "PATCH", method: http.MethodPatch, want: notAllowed},
		{name: "OPTIONS", method: http.MethodOptions, want: notAllowed},
		{name: "POST, If-None-Match matches", method: http.MethodPost, header: map[string]string{"If-None-Match": etag}, want: notAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _ := jwksDo(t, h, tc.method, tc.header)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.method, diff)
			}
		})
	}
}

func TestJWKSHandlerHeadContentLength(t *testing.T) {
	t.Parallel()
	h := httpx.JWKSHandler(jwksRing(t), time.Minute)
	rec := testutil.Serve(h, httptest.NewRequest(http.MethodGet, "/", nil))
	head := testutil.Serve(h, httptest.NewRequest(http.MethodHead, "/", nil))
	if got, want := head.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
		t.Errorf("HEAD Content-Length = %q, want %q (the GET body's length)", got, want)
	}
	if head.Body.Len() != 0 {
		t.Errorf("HEAD body has %d bytes, want none", head.Body.Len())
	}
}

func TestJWKSHandlerMaxAge(t *testing.T) {
	t.Parallel()
	ring := jwksRing(t)
	for _, tc := range []struct {
		maxAge time.Duration
		want   string
	}{
		{maxAge: 0, want: "public, max-age=0"},
		{maxAge: 1500 * time.Millisecond, want: "public, max-age=1"},
		{maxAge: time.Hour, want: "public, max-age=3600"},
		{maxAge: -time.Minute, want: "public, max-age=0"},
	} {
		t.Run(tc.maxAge.String(), func(t *testing.T) {
			t.Parallel()
			got, _ := jwksDo(t, httpx.JWKSHandler(ring, tc.maxAge), http.MethodGet, nil)
			if got.CacheControl != tc.want {
				t.Errorf("Cache-Control = %q, want %q", got.CacheControl, tc.want)
			}
		})
	}
}

// After a rotation the document and its ETag change, so a cached copy is
// not revalidated; after the retired key's time the key drops out.
func TestJWKSHandlerFollowsRotation(t *testing.T) {
	t.Parallel()
	clock := jwksClock()
	ring, err := jwtx.NewKeyRing(jwksKey(t, "k1"), jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	h := httpx.JWKSHandler(ring, time.Minute)
	before, etag := jwksDo(t, h, http.MethodGet, nil)
	if diff := cmp.Diff([]string{"k1"}, jwksKIDs(t, before.Body)); diff != "" {
		t.Errorf("kids before rotation (-want +got):\n%s", diff)
	}
	if err := ring.Rotate(jwksKey(t, "k2"), time.Hour); err != nil {
		t.Fatal(err)
	}
	after, etag2 := jwksDo(t, h, http.MethodGet, map[string]string{"If-None-Match": etag})
	if after.Status != http.StatusOK || etag2 == etag {
		t.Errorf("GET with the old ETag after rotation = %d, ETag changed: %v; want 200 and a new ETag", after.Status, etag2 != etag)
	}
	if diff := cmp.Diff([]string{"k1", "k2"}, jwksKIDs(t, after.Body)); diff != "" {
		t.Errorf("kids after rotation (-want +got):\n%s", diff)
	}
	clock.Advance(time.Hour)
	retired, _ := jwksDo(t, h, http.MethodGet, nil)
	if diff := cmp.Diff([]string{"k2"}, jwksKIDs(t, retired.Body)); diff != "" {
		t.Errorf("kids after retirement (-want +got):\n%s", diff)
	}
}

// A source of secret keys answers a fixed 500 that leaks nothing: no key
// material, no error text, no caching.
func TestJWKSHandlerRefusesHMAC(t *testing.T) {
	t.Parallel()
	key := testutil.NewKey(t, jwtx.HS256, testutil.WithKeyID("hs-1"))
	secret, hs := key.Secret(), key.Private()
	ring, err := jwtx.NewKeyRing(hs)
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwtx.NewKeySet(hs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  jwtx.PublicKeySource
	}{
		{name: "KeyRing", src: ring},
		{name: "Key", src: hs},
		{name: "KeySet", src: set},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, _ := jwksDo(t, httpx.JWKSHandler(tc.src, time.Minute), http.MethodGet, nil)
			want := jwksResponse{
				Status:       http.StatusInternalServerError,
				ContentType:  "application/json; charset=utf-8",
				CacheControl: "no-store",
				Body:         `{"msg":"internal error"}` + "\n",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("GET (-want +got):\n%s", diff)
			}
			for _, leak := range []string{string(secret), base64.RawURLEncoding.EncodeToString(secret), "hs-1", "HS256"} {
				if strings.Contains(got.Body, leak) {
					t.Errorf("body %q leaks %q", got.Body, leak)
				}
			}
		})
	}
}

// The handler behind a real server feeds a RemoteKeySet: tokens of every
// key of the ring verify on the other side.
func TestJWKSHandlerServesRemoteKeySet(t *testing.T) {
	t.Parallel()
	ring := jwksRing(t)
	var fetches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		httpx.JWKSHandler(ring, time.Minute).ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys, err := jwtx.NewRemoteKeySet(ctx, srv.URL+"/.well-known/jwks.json", jwtx.WithJWKSAllowHTTP(true))
	if err != nil {
		t.Fatalf("NewRemoteKeySet: %v", err)
	}
	clock := jwksClock()
	ver, err := jwtx.NewClaimsVerifier[Claims](keys, jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ring.Keys() {
		iss, err := jwtx.NewIssuer[string, Claims](k, jwtx.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := iss.Access(ctx, "jwks-user")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ver.Verify(ctx, tok.Raw); err != nil {
			t.Errorf("Verify(token of %v) = %v, want nil", k, err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Errorf("JWKS fetches = %d, want 1", n)
	}
	// A kid the set does not know is refused, after one more fetch.
	other, err := jwtx.NewIssuer[string, Claims](jwksKey(t, "k3"), jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := other.Access(ctx, "jwks-user")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ver.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrKeyNotFound) {
		t.Errorf("Verify(unknown kid) = %v, want %v", err, jwtx.ErrKeyNotFound)
	}
	if n := fetches.Load(); n != 2 {
		t.Errorf("JWKS fetches after an unknown kid = %d, want 2", n)
	}
}
