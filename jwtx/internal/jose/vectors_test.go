package jose_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// vector is one entry of ../../testdata/rfc_vectors.json.
type vector struct {
	Name            string          `json:"name"`
	Alg             string          `json:"alg"`
	Serialization   string          `json:"serialization"`
	JWK             json.RawMessage `json:"jwk"`
	Header          map[string]any  `json:"header"`
	Token           string          `json:"token"`
	DetachedPayload *string         `json:"detached_payload"`
	SignatureValid  bool            `json:"signature_valid"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile("../../testdata/rfc_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Vectors) != 23 {
		t.Fatalf("%d vectors, want 23", len(file.Vectors))
	}
	return file.Vectors
}

// signingInputs returns the signing inputs and signatures of a JWS in any
// serialization.
func signingInputs(t *testing.T, v vector) (inputs, sigs []string) {
	t.Helper()
	switch v.Serialization {
	case "compact":
		seg := strings.Split(v.Token, ".")
		payload := seg[1]
		if v.DetachedPayload != nil {
			payload = base64.RawURLEncoding.EncodeToString([]byte(*v.DetachedPayload))
			if b64, ok := v.Header["b64"].(bool); ok && !b64 {
				payload = *v.DetachedPayload
			}
		}
		return []string{seg[0] + "." + payload}, []string{seg[2]}
	case "json_flattened", "json_general":
		var js struct {
			Protected  string `json:"protected"`
			Payload    string `json:"payload"`
			Signature  string `json:"signature"`
			Signatures []struct {
				Protected string `json:"protected"`
				Signature string `json:"signature"`
			} `json:"signatures"`
		}
		if err := json.Unmarshal([]byte(v.Token), &js); err != nil {
			t.Fatal(err)
		}
		if js.Signature != "" {
			return []string{js.Protected + "." + js.Payload}, []string{js.Signature}
		}
		for _, s := range js.Signatures {
			inputs, sigs = append(inputs, s.Protected+"."+js.Payload), append(sigs, s.Signature)
		}
		return inputs, sigs
	}
	return nil, nil
}

// maxSaltPSS lists the vectors signed with RSA-PSS and the largest salt
// (222 bytes for PS256 with a 2048-bit key) instead of a salt as long as the
// hash, which RFC 7518 §3.5 requires. jwx v2 accepts them because it
// detects the salt length; a strict verifier refuses them (attack A17).
func maxSaltPSS(name string) bool {
	switch name {
	case "golang-jwt-basic-ps256", "golang-jwt-basic-ps384", "golang-jwt-basic-ps512":
		return true
	}
	return false
}

// TestVectorSignatures checks every published signature against the
// vector's verdict: the crypto layer agrees with RFC 7515, 7520, 7797 and
// 8037, and refuses the PSS signatures whose salt length RFC 7518 forbids.
func TestVectorSignatures(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		if v.Serialization == "jwe_compact" {
			continue // not a JWS: refused by the verifier, see ../../vectors_test.go
		}
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			j, err := jose.ParseKey(v.JWK)
			if err != nil {
				t.Fatalf("ParseKey: %v", err)
			}
			key, _, err := jose.FromJWK(j, v.Alg)
			if err != nil {
				t.Fatalf("FromJWK: %v", err)
			}
			want := v.SignatureValid && !maxSaltPSS(v.Name)
			inputs, sigs := signingInputs(t, v)
			checked := 0
			for i := range inputs {
				if !signedWith(t, inputs[i], v.Alg) {
					continue // another signature of a general JSON JWS, by another key
				}
				checked++
				sig, err := base64.RawURLEncoding.DecodeString(sigs[i])
				if err != nil && want {
					t.Fatalf("signature: %v", err)
				}
				if got := key.Verify([]byte(inputs[i]), sig); got != want {
					t.Errorf("Verify = %v, want %v", got, want)
				}
			}
			if checked == 0 {
				t.Fatal("no signature checked")
			}
		})
	}
}

// signedWith reports whether the protected header of a signing input names
// alg, or names no alg at all (RFC 7520 §4.7 keeps it unprotected).
func signedWith(t *testing.T, input, alg string) bool {
	t.Helper()
	protected, _, _ := strings.Cut(input, ".")
	if protected == "" {
		return true
	}
	b, err := base64.RawURLEncoding.DecodeString(protected)
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Alg *string `json:"alg"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h.Alg == nil || *h.Alg == alg || (alg == "HS256" && *h.Alg == "none") || (alg == "EdDSA" && *h.Alg == "ED25519")
}
