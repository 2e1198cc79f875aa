package jwtx_test

// Catalogue entry A16 (see SECURITY.md): PKCS#1 v1.5 DigestInfo leniency.
// Helpers of the attack files start with atk.

import (
	"crypto/rsa"
	"crypto/sha256"
	"math/big"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkPKCS1Block returns the RSASSA-PKCS1-v1_5 encoded message of RFC 8017
// §9.2 for a k-byte modulus: 00 01 FF…FF 00 || t.
func atkPKCS1Block(k int, t []byte) []byte {
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-len(t)-1; i++ {
		em[i] = 0xff
	}
	copy(em[k-len(t):], t)
	return em
}

// atkRawRSA computes s = m^d mod n for an encoded message em, left-padded to
// the modulus size: the "signature" of any block, well-formed or not.
func atkRawRSA(k *rsa.PrivateKey, em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	return new(big.Int).Exp(m, k.D, k.N).FillBytes(make([]byte, k.Size()))
}

// atkSHA256DigestInfo returns the DER prefix of a SHA-256 DigestInfo (RFC
// 8017 §9.2 note 1): SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.2.1,
// NULL }, OCTET STRING (32 bytes) }.
func atkSHA256DigestInfo() []byte {
	return []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}
}

// atkCat concatenates byte slices into a new one.
func atkCat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestVerifyPKCS1v15DigestInfoExact covers A16: RS256 signatures over PKCS#1 v1.5 blocks that
// a lenient parser would accept (BER lengths, wrong or incomplete
// AlgorithmIdentifier, trailing garbage, bad padding) are computed with
// the test-owned K_rs as s' = m'^d mod n, and refused with
// jwtx.ErrSignature: the whole block must equal the expected encoding. The
// set is hand-made after Wycheproof's rs256 ModifiedPadding group.
func TestVerifyPKCS1v15DigestInfoExact(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	k := f.rs.RSA().Size()
	c0 := vtClaimsJSON(t, vtNow())
	digest := sha256.Sum256([]byte(testutil.SigningInput(vtH0, c0)))
	h := digest[:]
	oid := []byte{0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01} // id-sha256
	null := []byte{0x05, 0x00}
	octets := atkCat([]byte{0x04, 0x20}, h)
	di := atkCat(atkSHA256DigestInfo(), h) // the canonical DigestInfo
	// block is the standard framing of t; raw places bytes as given.
	block := func(t []byte) []byte { return atkPKCS1Block(k, t) }
	raw := func(prefix []byte, t []byte) []byte {
		em := make([]byte, k)
		copy(em, prefix)
		for i := len(prefix); i < k-len(t); i++ {
			em[i] = 0xff
		}
		copy(em[k-len(t):], t)
		return em
	}

	cases := []struct {
		name    string
		em      []byte
		wantErr error
	}{
		{name: "A16/control-canonical-DER", em: block(di)},
		{name: "A16/outer-SEQUENCE-long-form-length", em: block(atkCat([]byte{0x30, 0x81, 0x31, 0x30, 0x0d}, oid, null, octets))},
		{name: "A16/AlgorithmIdentifier-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x81, 0x0d}, oid, null, octets))},
		{name: "A16/OID-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0e, 0x06, 0x81, 0x09}, oid[2:], null, octets))},
		{name: "A16/NULL-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0e}, oid, []byte{0x05, 0x81, 0x00}, octets))},
		{name: "A16/OCTET-STRING-long-form-length", em: block(atkCat([]byte{0x30, 0x32, 0x30, 0x0d}, oid, null, []byte{0x04, 0x81, 0x20}, h))},
		{name: "A16/outer-length-overflow", em: block(atkCat([]byte{0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x31, 0x30, 0x0d}, oid, null, octets))},
		{name: "A16/indefinite-length", em: block(atkCat([]byte{0x30, 0x80, 0x30, 0x0d}, oid, null, octets, []byte{0x00, 0x00}))},
		{name: "A16/wrong-OID-SHA-1", em: block(atkCat([]byte{0x30, 0x2d, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a}, null, octets))},
		{name: "A16/wrong-OID-SHA-384", em: block(atkCat([]byte{0x30, 0x31, 0x30, 0x0d}, oid[:len(oid)-1], []byte{0x02}, null, octets))},
		{name: "A16/OID-without-NULL-parameters", em: block(atkCat([]byte{0x30, 0x2f, 0x30, 0x0b}, oid, octets))},
		{name: "A16/trailing-garbage-after-DigestInfo", em: block(atkCat(di, []byte("garbage")))},
		{name: "A16/garbage-inside-DigestInfo-length", em: block(atkCat([]byte{0x30, 0x38, 0x30, 0x0d}, oid, null, octets, []byte("garbage")))},
		{
			// Bleichenbacher 2006: minimal padding, the DigestInfo, then
			// attacker-chosen bytes that make a cube root exist for e=3.
			name: "A16/short-padding-then-garbage",
			em:   raw(atkCat([]byte{0x00, 0x01}, []byte(strings.Repeat("\xff", 8)), []byte{0x00}, di), []byte("garbage")),
		},
		{name: "A16/padding-byte-not-FF", em: func() []byte { em := block(di); em[10] = 0xfe; return em }()},
		{name: "A16/block-type-02", em: func() []byte {
			em := block(di)
			em[1] = 0x02
			return em
		}()},
		{name: "A16/no-zero-separator", em: raw([]byte{0x00, 0x01}, di)},
		{name: "A16/leading-byte-not-zero", em: func() []byte { em := block(di); em[0] = 0x01; return em }()},
	}
	var vt []vtCase
	for _, tc := range cases {
		want := error(jwtx.ErrSignature)
		if strings.HasPrefix(tc.name, "A16/control") {
			want = nil
		}
		vt = append(vt, vtCase{name: tc.name, token: testutil.Compact(vtH0, c0, atkRawRSA(f.rs.RSA(), tc.em)), wantErr: want})
	}
	vtRunAll(t, vt)
}
