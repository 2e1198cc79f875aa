package testutil

import (
	"bytes"
	"crypto"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// pyjwtScript is the Python side of PyJWT.
//
//go:embed pyjwt.py
var pyjwtScript []byte

// InteropEnv is the environment variable that lets interoperability tests
// skip when Python's PyJWT is not installed: TYPEDJWT_INTEROP=off. Without
// it they fail.
const InteropEnv = "TYPEDJWT_INTEROP"

// PyJWT runs Python's PyJWT beside a test, to check interoperability both
// ways: tokens PyJWT signs (with its default header, {"alg", "typ": "JWT"},
// as flask-jwt-extended writes it), and PyJWT's verdict on tokens jwtx
// signs. It needs a python3 that imports jwt and cryptography (Debian's
// python3-jwt and python3-cryptography).
type PyJWT struct {
	python string
	script string
}

// NewPyJWT finds the Python interpreter. Without one that imports PyJWT it
// fails the test, or skips it when TYPEDJWT_INTEROP=off.
func NewPyJWT(tb testing.TB) *PyJWT {
	tb.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil || exec.Command(path, "-c", "import jwt, cryptography").Run() != nil {
			continue
		}
		script := filepath.Join(tb.TempDir(), "pyjwt.py")
		if err := os.WriteFile(script, pyjwtScript, 0o600); err != nil {
			tb.Fatalf("testutil: writing the PyJWT script: %v", err)
		}
		return &PyJWT{python: path, script: script}
	}
	const msg = "testutil: no python3 with PyJWT and cryptography: apt-get install python3-jwt python3-cryptography"
	if os.Getenv(InteropEnv) == "off" {
		tb.Skip(msg + " (" + InteropEnv + "=off)")
	}
	tb.Fatal(msg)
	return nil
}

// Sign has PyJWT sign claims with key, with the key's algorithm.
func (p *PyJWT) Sign(tb testing.TB, key *Key, claims map[string]any) string {
	tb.Helper()
	private, _ := pyjwtKeys(tb, key)
	var out struct{ Token string }
	p.run(tb, map[string]any{"op": "sign", "alg": key.Algorithm(), "key": private, "claims": claims}, &out)
	return out.Token
}

// Verify has PyJWT verify token with key's public half, times unchecked.
// It returns the claims, or "" and the name of PyJWT's exception.
func (p *PyJWT) Verify(tb testing.TB, key *Key, token string) (claims map[string]any, refusal string) {
	tb.Helper()
	_, public := pyjwtKeys(tb, key)
	var out struct {
		OK     bool
		Claims map[string]any
		Error  string
	}
	p.run(tb, map[string]any{"op": "verify", "alg": key.Algorithm(), "key": public, "token": token}, &out)
	if !out.OK {
		return nil, out.Error
	}
	return out.Claims, ""
}

// run sends one request to the script and decodes its answer.
func (p *PyJWT) run(tb testing.TB, req map[string]any, resp any) {
	tb.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		tb.Fatalf("testutil: PyJWT request: %v", err)
	}
	cmd := exec.Command(p.python, p.script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("testutil: PyJWT: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(out, resp); err != nil {
		tb.Fatalf("testutil: PyJWT answer %q: %v", out, err)
	}
}

// pyjwtKeys returns the forms PyJWT takes for key: hex for an HMAC secret,
// PEM (PKCS#8 private, SPKI public) otherwise.
func pyjwtKeys(tb testing.TB, k *Key) (private, public string) {
	tb.Helper()
	if s := k.Secret(); s != nil {
		return hex.EncodeToString(s), hex.EncodeToString(s)
	}
	var priv crypto.Signer
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
		tb.Fatalf("testutil: %v", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		tb.Fatalf("testutil: %v", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}
