package testutil_test

import (
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestPyJWT(t *testing.T) {
	t.Parallel()
	py := testutil.NewPyJWT(t)
	for _, alg := range []jwtx.Algorithm{jwtx.HS256, jwtx.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			k := testutil.NewKey(t, alg)
			tok := py.Sign(t, k, map[string]any{"sub": "alice"})
			claims, refusal := py.Verify(t, k, tok)
			if refusal != "" || claims["sub"] != "alice" {
				t.Errorf("Verify(Sign) = %v, %q; want sub alice", claims, refusal)
			}
			if _, refusal := py.Verify(t, testutil.NewKey(t, alg, testutil.WithSeed("other")), tok); refusal != "InvalidSignatureError" {
				t.Errorf("Verify with another key: refusal %q, want InvalidSignatureError", refusal)
			}
		})
	}
}
