package testutil

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Payload returns the claims of a compact token as the JSON text it
// carries, decoded from its second segment without verifying anything:
// for tests that look at what a token says, or that change it with
// [Tamper]. A token that is not three dot-separated segments, or whose
// payload is not base64url without padding, fails the test.
func Payload(tb testing.TB, token string) []byte {
	tb.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		tb.Fatalf("testutil: token has %d segments, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatalf("testutil: token payload: %v", err)
	}
	return b
}

// Tamper returns token with its payload edited and its header and
// signature kept, so that the signature no longer matches: what an
// attacker who can read a token but not sign one sends. The edit replaces,
// in the payload's JSON text, the first occurrence of each old string with
// its new one, in turn:
//
//	admin := testutil.Tamper(t, tok.Raw, `"sub":"bob"`, `"sub":"admin"`)
//
// An odd number of strings, a token [Payload] refuses, and an old string
// the payload does not hold fail the test.
func Tamper(tb testing.TB, token string, oldNew ...string) string {
	tb.Helper()
	if len(oldNew)%2 != 0 {
		tb.Fatalf("testutil: Tamper needs old, new pairs; got %d strings", len(oldNew))
	}
	p := string(Payload(tb, token))
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(p, oldNew[i]) {
			tb.Fatalf("testutil: the payload %s holds no %s", p, oldNew[i])
		}
		p = strings.Replace(p, oldNew[i], oldNew[i+1], 1)
	}
	parts := strings.Split(token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(p))
	return strings.Join(parts, ".")
}
