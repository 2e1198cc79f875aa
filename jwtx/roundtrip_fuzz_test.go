package jwtx_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// fuzzClaims has a custom claim of each JSON kind.
type fuzzClaims struct {
	jwtx.RegisteredClaims
	Name  string         `json:"name"`
	Tags  []string       `json:"tags"`
	Count int64          `json:"count"`
	Ratio float64        `json:"ratio"`
	Meta  map[string]any `json:"meta"`
}

// valid replaces each byte of s that is not part of valid UTF-8 with U+FFFD,
// as encoding/json does when it encodes a string.
func valid(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r) // range yields U+FFFD for each invalid byte
	}
	return b.String()
}

// FuzzIssueVerify issues tokens with arbitrary claim values, a per-call
// extra claim of arbitrary name and value, and an arbitrary subject. Either
// the Issuer refuses them with a known error, or the token verifies and
// every claim comes back as it went in (invalid UTF-8 replaced by U+FFFD,
// as encoding/json does): a token this library mints is one it accepts.
func FuzzIssueVerify(f *testing.F) {
	f.Add("alice", "Alice", "admin", int64(42), 0.5, "tenant", `"acme"`)
	f.Add("bob\x00", "\xff", "", int64(-1), math.Copysign(0, -1), "Name", `1`)
	f.Add("s\u017fb", "ß", "\u212a", int64(1<<62), 1e300, "exp", `"x"`)
	f.Add("x", "", "a\"b\\c", int64(0), 3.14, "meta", `{"a":{"A":1}}`)
	f.Add("x", "<script>", "\u2028", int64(7), 2.5, "deep", strings.Repeat("[", 40)+strings.Repeat("]", 40))
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte("fuzz-round-trip-secret-32-bytes!!"))
	if err != nil {
		f.Fatal(err)
	}
	clock := jwtx.WithClock(testutil.NewClock(issuedAt))
	iss, err := jwtx.NewIssuer[string, fuzzClaims](key, clock)
	if err != nil {
		f.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[fuzzClaims](key, clock, jwtx.WithMaxTokenSize(1<<20))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sub, name, tag string, count int64, ratio float64, extraName, extraJSON string) {
		var extraValue any
		if json.Unmarshal([]byte(extraJSON), &extraValue) != nil {
			extraValue = extraJSON
		}
		tok, err := iss.Access(ctx, sub,
			iss.Modify(func(c *fuzzClaims) {
				c.Name, c.Tags, c.Count, c.Ratio = name, []string{tag}, count, ratio
			}),
			jwtx.ExtraClaims(map[string]any{extraName: extraValue}))
		if err != nil {
			for _, known := range []error{jwtx.ErrIdentity, jwtx.ErrReservedClaim, jwtx.ErrConfig, jwtx.ErrMalformed} {
				if errors.Is(err, known) {
					return
				}
			}
			// encoding/json refuses NaN, infinities and unsupported values.
			var unsupported *json.UnsupportedValueError
			if errors.As(err, &unsupported) || strings.Contains(err.Error(), "json: unsupported") {
				return
			}
			t.Fatalf("Access: unexpected error %v", err)
		}
		got, raw, err := ver.VerifyClaims(ctx, tok.Raw, jwtx.ExpectAccess)
		if err != nil {
			t.Fatalf("a minted token does not verify: %v", err)
		}
		if got.Subject != valid(sub) {
			t.Errorf("sub = %q, want %q", got.Subject, valid(sub))
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m[valid(extraName)]; !ok && utf8.ValidString(extraName) {
			t.Errorf("extra claim %q lost", extraName)
		}
		if extraName == "name" || extraName == "tags" || extraName == "count" || extraName == "ratio" || extraName == "meta" {
			return // the extra claim replaced a typed one
		}
		want := []any{valid(name), []string{valid(tag)}, count, ratio}
		if diff := cmp.Diff(want, []any{got.Name, got.Tags, got.Count, got.Ratio}); diff != "" {
			t.Errorf("typed claims (-want +got):\n%s", diff)
		}
	})
}
