package jwtx_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// pythonWithPyJWT returns a Python interpreter that can import PyJWT and
// cryptography (Debian's python3-jwt and python3-cryptography, which
// .ci/run installs). Without one the test fails, unless TYPEDJWT_INTEROP=off
// says interoperability is not wanted here.
var pythonWithPyJWT = sync.OnceValues(func() (string, error) {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import jwt, cryptography").Run() == nil {
			return path, nil
		}
	}
	return "", errors.New("no python3 with PyJWT and cryptography: apt-get install python3-jwt python3-cryptography (bash .ci/run does)")
})

// pyjwt runs one request through testdata/pyjwt_interop.py.
func pyjwt(t *testing.T, req map[string]any, resp any) {
	t.Helper()
	py, err := pythonWithPyJWT()
	if err != nil {
		if os.Getenv("TYPEDJWT_INTEROP") == "off" {
			t.Skip("TYPEDJWT_INTEROP=off:", err)
		}
		t.Fatal(err)
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/pyjwt_interop.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pyjwt_interop.py: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, resp); err != nil {
		t.Fatalf("pyjwt_interop.py answer %q: %v", out, err)
	}
}

// interopKeys returns the PEM or hex forms PyJWT takes for a test key.
func interopKeys(t *testing.T, k *testutil.Key) (private, public string) {
	t.Helper()
	if k.Secret() != nil {
		s := hex.EncodeToString(k.Secret())
		return s, s
	}
	var priv crypto.PrivateKey
	switch {
	case k.RSA() != nil:
		priv = k.RSA()
	case k.ECDSA() != nil:
		priv = k.ECDSA()
	default:
		priv = k.Ed25519()
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}

// flaskClaims are the claims flask-jwt-extended writes for an access or a
// refresh token, with fixed times.
func flaskClaims(typ string, iat time.Time) map[string]any {
	return map[string]any{
		"fresh": false,
		"iat":   iat.Unix(),
		"jti":   "9c9f0d2e-6c1f-4d8e-9a8a-1b7c2f3e4d5a",
		"type":  typ,
		"sub":   "alice",
		"nbf":   iat.Unix(),
		"csrf":  "2b1a7c3e-8f4d-4e6a-b5c9-0d1e2f3a4b5c",
		"exp":   iat.Add(15 * time.Minute).Unix(),
	}
}

// TestPyJWTInterop checks both directions for HS256, RS256, ES256 and EdDSA:
// tokens PyJWT mints with flask-jwt-extended's claim layout verify in jwtx
// with their typed claims, jwtx's tokens verify in PyJWT with the same
// claims, and a tampered token is refused by both.
func TestPyJWTInterop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	iat := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
	now := iat.Add(time.Minute)
	for _, alg := range []jwtx.Algorithm{jwtx.HS256, jwtx.RS256, jwtx.ES256, jwtx.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, alg)
			priv, pub := interopKeys(t, k)

			// PyJWT mints, jwtx verifies.
			flaskVer, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](k.Public(),
				jwtx.WithClock(clockAt(now)), jwtx.WithHeaderTypes("JWT", "JWT"))
			if err != nil {
				t.Fatal(err)
			}
			var minted struct{ Token string }
			pyjwt(t, map[string]any{"op": "sign", "alg": alg, "key": priv, "claims": flaskClaims("access", iat)}, &minted)
			got, _, err := flaskVer.Verify(ctx, minted.Token)
			if err != nil {
				t.Fatalf("jwtx refuses PyJWT's access token: %v", err)
			}
			want := jwtx.RegisteredClaims{
				Subject: "alice", Type: jwtx.Access, Fresh: jwtx.FreshFlag(false),
				ID: "9c9f0d2e-6c1f-4d8e-9a8a-1b7c2f3e4d5a", CSRF: "2b1a7c3e-8f4d-4e6a-b5c9-0d1e2f3a4b5c",
				IssuedAt: jwtx.NewNumericDate(iat), NotBefore: jwtx.NewNumericDate(iat), ExpiresAt: jwtx.NewNumericDate(iat.Add(15 * time.Minute)),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("claims of PyJWT's token (-want +got):\n%s", diff)
			}
			if _, _, err := flaskVer.VerifyFresh(ctx, minted.Token); !errors.Is(err, jwtx.ErrNotFresh) {
				t.Errorf("VerifyFresh of a non-fresh Flask token = %v, want ErrNotFresh", err)
			}
			var refresh struct{ Token string }
			pyjwt(t, map[string]any{"op": "sign", "alg": alg, "key": priv, "claims": flaskClaims("refresh", iat)}, &refresh)
			if _, _, err := flaskVer.Verify(ctx, refresh.Token); !errors.Is(err, jwtx.ErrTokenType) {
				t.Errorf("Flask refresh token as access token = %v, want ErrTokenType", err)
			}
			if _, _, err := flaskVer.VerifyRefresh(ctx, refresh.Token); err != nil {
				t.Errorf("Flask refresh token as refresh token: %v", err)
			}
			if _, _, err := flaskVer.Verify(ctx, tamperClaims(minted.Token)); !errors.Is(err, jwtx.ErrSignature) {
				t.Errorf("tampered PyJWT token = %v, want ErrSignature", err)
			}

			// jwtx mints, PyJWT verifies.
			iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](k.Private(), jwtx.WithClock(clockAt(iat)), jwtx.WithCSRF(true))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := iss.Access(ctx, "alice", jwtx.AsFresh(true))
			if err != nil {
				t.Fatal(err)
			}
			var verified struct {
				OK     bool
				Claims map[string]any
				Error  string
			}
			pyjwt(t, map[string]any{"op": "verify", "alg": alg, "key": pub, "token": tok.Raw}, &verified)
			wantPy := map[string]any{
				"sub": "alice", "type": "access", "fresh": true, "jti": tok.ID, "csrf": tok.CSRF,
				"iat": float64(iat.Unix()), "nbf": float64(iat.Unix()), "exp": float64(iat.Add(15 * time.Minute).Unix()),
			}
			if diff := cmp.Diff(wantPy, verified.Claims); !verified.OK || diff != "" {
				t.Errorf("PyJWT on jwtx's token: ok %v (%s), claims (-want +got):\n%s", verified.OK, verified.Error, diff)
			}
			pyjwt(t, map[string]any{"op": "verify", "alg": alg, "key": pub, "token": tamperClaims(tok.Raw)}, &verified)
			if verified.OK || verified.Error != "InvalidSignatureError" {
				t.Errorf("PyJWT on a tampered jwtx token: ok %v, error %q; want InvalidSignatureError", verified.OK, verified.Error)
			}
		})
	}
}

// tamperClaims changes the subject of a token and keeps its signature.
func tamperClaims(token string) string {
	h, rest, _ := strings.Cut(token, ".")
	p, sig, _ := strings.Cut(rest, ".")
	claims, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return token
	}
	claims = bytes.Replace(claims, []byte(`"alice"`), []byte(`"admin"`), 1)
	return h + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + sig
}
