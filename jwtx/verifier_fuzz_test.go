package jwtx_test

// FuzzVerify: arbitrary tokens never panic and are accepted only when
// signed with the configured key.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// vtSentinels are the errors every verification failure must match one of.
func vtSentinels() []error {
	return []error{
		jwtx.ErrTooLarge, jwtx.ErrMalformed, jwtx.ErrUnsupported, jwtx.ErrAlgorithm,
		jwtx.ErrKeyNotFound, jwtx.ErrSignature, jwtx.ErrTokenType, jwtx.ErrMissingClaim,
		jwtx.ErrExpired, jwtx.ErrNotYetValid, jwtx.ErrIssuedAt, jwtx.ErrIssuer,
		jwtx.ErrAudience, jwtx.ErrNotFresh, jwtx.ErrClaims, jwtx.ErrRevoked,
		jwtx.ErrRevocationUnavailable,
	}
}

// FuzzVerify checks that Verify never panics, that every failure returns
// zero claims and matches a sentinel, that a token without the right MAC
// fails with ErrSignature unless it failed before the signature was
// checked, and that it accepts nothing but
// tokens whose signing input carries an HS256 MAC under the configured key
// (checked independently of jwtx) with header alg exactly "HS256".
func FuzzVerify(f *testing.F) {
	key := testutil.NewKey(f, jwtx.HS256, testutil.WithSeed("jwtx FuzzVerify"), testutil.WithKeyID(vtKidHS))
	now := vtNow()
	c0 := vtClaimsJSON(f, now)
	valid := testutil.Sign(f, key, vtHHS, c0)
	forged := []byte("an attacker's HMAC key, not the configured one")
	parts := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		testutil.Sign(f, key, `{"alg":"HS256","typ":"at+jwt"}`, c0),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "role", `"admin"`, "roles", `["a","b"]`, "org", `{"id":"x"}`)),
		testutil.Sign(f, key, `{"alg":"none","typ":"at+jwt"}`, c0),
		testutil.Sign(f, key, `{"alg":"HS512","typ":"at+jwt"}`, c0),
		testutil.Sign(f, key, `{"alg":"HS256","alg":"none","typ":"at+jwt"}`, c0),
		testutil.Sign(f, key, `{"alg":"HS256","typ":"at+jwt","crit":["b64"],"b64":false}`, c0),
		testutil.Sign(f, key, `{"alg":"HS256","typ":"at+jwt","zip":"DEF","cty":"JWT"}`, c0),
		testutil.Sign(f, key, `{"alg":"HS256","typ":1,"kid":"hs-1"}`, c0),
		testutil.SignHMAC(f, jwtx.HS256, forged, `{"alg":"HS256","typ":1,"cty":{},"kid":"hs-1"}`, c0),
		testutil.Sign(f, key, vtHHS, vtAppendMember(c0, `"sub":"admin"`)),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "Exp", "1")),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "exp", `"9999999999"`)),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "aud", `["x",["api"]]`)),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "x", strings.Repeat("[", 40)+strings.Repeat("]", 40))),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "exp", vtUnix(now.Add(-time.Hour)))),
		testutil.Sign(f, key, vtHHS, vtClaimsJSON(f, now, "sub", `"\ud800"`)),
		parts[0] + "." + parts[1] + ".",
		parts[0] + "." + parts[1] + "." + parts[2] + "=",
		parts[0] + ".." + parts[2],
		`{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`,
		parts[0] + ".AAAA.AAAA.AAAA.AAAA",
		"",
		"...",
	} {
		f.Add(seed)
	}
	v, err := jwtx.NewClaimsVerifier[vtClaims](key.Public(), vtPolicyV(now)...)
	if err != nil {
		f.Fatalf("NewClaimsVerifier: %v", err)
	}
	// The property below is only as good as the accepted seeds.
	if _, _, err := v.Verify(context.Background(), valid); err != nil || !vtHS256Valid(key.Secret(), valid) {
		f.Fatalf("the valid seed does not verify: %v", err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, _, err := v.Verify(context.Background(), token)
		if err != nil {
			if !cmp.Equal(vtClaims{}, got, vtCmp()) {
				t.Errorf("Verify returned claims with error %v", err)
			}
			if !vtErrAny(err, vtSentinels()...) {
				t.Errorf("Verify error %v matches no sentinel", err)
			}
			vtCheckNoLeak(t, token, err)
			// Without the right MAC, only the compact form, the header as
			// a whole, alg and kid may fail before the signature does.
			if !vtHS256Valid(key.Secret(), token) && strings.Count(token, ".") == 2 &&
				!vtErrAny(err, jwtx.ErrTooLarge, jwtx.ErrMalformed, jwtx.ErrAlgorithm, jwtx.ErrKeyNotFound, jwtx.ErrSignature) {
				t.Errorf("Verify(%s) = %v for a token without the right MAC, want ErrSignature or an error found before the signature", vtDescribe(token), err)
			}
			return
		}
		if !vtHS256Valid(key.Secret(), token) {
			t.Fatalf("Verify accepted %s, which is not HS256-signed by the configured key", vtDescribe(token))
		}
		hdr, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
		if err != nil {
			t.Fatalf("accepted token has a bad header segment: %v", err)
		}
		var h struct {
			Alg any `json:"alg"`
		}
		if err := json.Unmarshal(hdr, &h); err != nil || h.Alg != "HS256" {
			t.Fatalf("Verify accepted a header with alg %v (decode error %v)", h.Alg, err)
		}
		if cmp.Equal(vtClaims{}, got, vtCmp()) || got.Subject == "" || got.ExpiresAt.IsZero() {
			t.Fatalf("Verify accepted %s with empty claims %+v", vtDescribe(token), got)
		}
	})
}

// vtHS256Valid independently checks a compact HS256 token: three segments of
// canonical unpadded base64url and a signature that is the HMAC-SHA-256 under
// key of the first two segments. It shares no code with jwtx.
func vtHS256Valid(key []byte, token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil || base64.RawURLEncoding.EncodeToString(b) != p {
			return false
		}
	}
	sig, _ := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	m := hmac.New(sha256.New, key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	return hmac.Equal(sig, m.Sum(nil))
}
