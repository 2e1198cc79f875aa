package jwtx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// ringEpoch is the fixed time the key ring tests start at.
var ringEpoch = time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)

// ringRSA returns RSA key i (0 or 1) of the ring tests bound to alg with
// kid. testutil generates each RSA key once per test binary.
func ringRSA(tb testing.TB, i int, alg jwtx.Algorithm, kid string) *testutil.Key {
	tb.Helper()
	return testutil.NewKey(tb, alg, testutil.WithSeed(fmt.Sprintf("ring RSA %d", i)), testutil.WithKeyID(kid))
}

// ringECPriv returns a fresh P-256 private key. It, ringES256 and ringHS256
// make a new random key at each call, unlike testutil's seeded keys: the
// tests need other keys under a kid already in use (the right kid with the
// wrong key, two keys with one kid).
func ringECPriv(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return priv
}

// ringES256 returns a fresh ES256 signing key with the given kid.
func ringES256(tb testing.TB, kid string) *jwtx.Key {
	tb.Helper()
	k, err := jwtx.NewKey(jwtx.ES256, ringECPriv(tb), jwtx.WithKeyID(kid))
	if err != nil {
		tb.Fatalf("NewKey: %v", err)
	}
	return k
}

// ringHS256 returns an HS256 key with the given kid.
func ringHS256(tb testing.TB, kid string) *jwtx.Key {
	tb.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	k, err := jwtx.NewKey(jwtx.HS256, secret, jwtx.WithKeyID(kid))
	if err != nil {
		tb.Fatalf("NewKey: %v", err)
	}
	return k
}

// ringNew returns a ring whose active key is active.
func ringNew(tb testing.TB, active *jwtx.Key, clock jwtx.Clock) *jwtx.KeyRing {
	tb.Helper()
	r, err := jwtx.NewKeyRing(active, jwtx.WithClock(clock))
	if err != nil {
		tb.Fatalf("NewKeyRing: %v", err)
	}
	return r
}

// ringRotate rotates r to next, failing the test on error.
func ringRotate(tb testing.TB, r *jwtx.KeyRing, next *jwtx.Key, retireFor time.Duration) {
	tb.Helper()
	if err := r.Rotate(next, retireFor); err != nil {
		tb.Fatalf("Rotate(%v): %v", next, err)
	}
}

// ringIssuer returns an issuer of access tokens for User signed with key.
func ringIssuer(tb testing.TB, key jwtx.SigningKey, clock jwtx.Clock, opts ...jwtx.IssuerOption) *jwtx.Issuer[User, Claims] {
	tb.Helper()
	base := []jwtx.IssuerOption{
		jwtx.WithClock(clock),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
	}
	iss, err := jwtx.NewIssuer[User, Claims](key, append(base, opts...)...)
	if err != nil {
		tb.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

// ringToken issues an access token for a fixed user.
func ringToken(tb testing.TB, iss *jwtx.Issuer[User, Claims], opts ...jwtx.IssueOption) string {
	tb.Helper()
	tok, err := iss.Access(context.Background(), User{Name: "ring-user"}, opts...)
	if err != nil {
		tb.Fatalf("Access: %v", err)
	}
	return tok.Raw
}

// ringVerifier returns a claims-only verifier over keys.
func ringVerifier(tb testing.TB, keys jwtx.VerificationKeys, clock jwtx.Clock, opts ...jwtx.VerifierOption) *jwtx.Verifier[jwtx.NoUser, Claims] {
	tb.Helper()
	v, err := jwtx.NewClaimsVerifier[Claims](keys, append([]jwtx.VerifierOption{jwtx.WithClock(clock)}, opts...)...)
	if err != nil {
		tb.Fatalf("NewClaimsVerifier: %v", err)
	}
	return v
}

// ringVerify verifies tok and returns the error only.
func ringVerify(v *jwtx.Verifier[jwtx.NoUser, Claims], tok string) error {
	_, _, err := v.Verify(context.Background(), tok)
	return err
}

// ringHeader decodes the JOSE header of a compact token.
func ringHeader(tb testing.TB, tok string) map[string]any {
	tb.Helper()
	seg, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		tb.Fatalf("header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		tb.Fatalf("header: %v", err)
	}
	return h
}

// ringKIDs returns the kids of keys, in order.
func ringKIDs(keys []*jwtx.Key) []string {
	kids := make([]string, 0, len(keys))
	for _, k := range keys {
		kids = append(kids, k.ID())
	}
	return kids
}

// ringPrivateMembers are the JWK members that carry private or secret
// material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037 §2).
var ringPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ringJWKSMembers decodes a JWK Set document into its keys' members.
func ringJWKSMembers(tb testing.TB, doc []byte) []map[string]any {
	tb.Helper()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		tb.Fatalf("JWKS %q: %v", doc, err)
	}
	return set.Keys
}

func TestNewKeyRingErrors(t *testing.T) {
	t.Parallel()
	signer := ringES256(t, "es-1")
	noKID, err := jwtx.NewKey(jwtx.ES256, ringECPriv(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		key     *jwtx.Key
		opts    []jwtx.KeyRingOption
		wantErr error
	}{
		{name: "nil key", key: nil, wantErr: jwtx.ErrKey},
		{name: "nil clock", key: signer, opts: []jwtx.KeyRingOption{jwtx.WithClock(nil)}, wantErr: jwtx.ErrConfig},
		{name: "nil option", key: signer, opts: []jwtx.KeyRingOption{nil}, wantErr: jwtx.ErrConfig},
		{name: "public key only", key: signer.Public(), wantErr: jwtx.ErrKey},
		{name: "no kid", key: noKID, wantErr: jwtx.ErrKey},
		{name: "asymmetric, system clock", key: signer},
		{name: "asymmetric, injected clock", key: signer, opts: []jwtx.KeyRingOption{jwtx.WithClock(testutil.NewClock(ringEpoch))}},
		{name: "HMAC", key: ringHS256(t, "hs-1"), opts: []jwtx.KeyRingOption{jwtx.WithClock(testutil.NewClock(ringEpoch))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := jwtx.NewKeyRing(tc.key, tc.opts...)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewKeyRing() error mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				if r != nil {
					t.Errorf("NewKeyRing() = %v with error %v, want nil", r, err)
				}
				return
			}
			if r.Active() != tc.key {
				t.Errorf("Active() = %v, want %v", r.Active(), tc.key)
			}
			if diff := cmp.Diff([]string{tc.key.ID()}, ringKIDs(r.Keys())); diff != "" {
				t.Errorf("Keys() kids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeyRingRotateErrors(t *testing.T) {
	t.Parallel()
	noKID, err := jwtx.NewKey(jwtx.ES256, ringECPriv(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		hmac      bool // an HMAC ring instead of an asymmetric one
		next      *jwtx.Key
		retireFor time.Duration
		wantErr   error
	}{
		{name: "nil key", next: nil, retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "public key only", next: ringES256(t, "k3").Public(), retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "no kid", next: noKID, retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "kid of the active key", next: ringES256(t, "k2"), retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "kid of a retired key", next: ringES256(t, "k1"), retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "HMAC into an asymmetric ring", next: ringHS256(t, "k3"), retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "asymmetric into an HMAC ring", hmac: true, next: ringES256(t, "k3"), retireFor: time.Hour, wantErr: jwtx.ErrKey},
		{name: "negative retirement", next: ringES256(t, "k3"), retireFor: -time.Second, wantErr: jwtx.ErrConfig},
		{name: "zero retirement", next: ringES256(t, "k3"), retireFor: 0},
		{name: "RSA into an EC ring", next: ringRSA(t, 0, jwtx.RS256, "k3").Private(), retireFor: time.Hour},
		{name: "HMAC into an HMAC ring", hmac: true, next: ringHS256(t, "k3"), retireFor: time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k1, k2 := ringES256(t, "k1"), ringES256(t, "k2")
			if tc.hmac {
				k1, k2 = ringHS256(t, "k1"), ringHS256(t, "k2")
			}
			r := ringNew(t, k1, testutil.NewClock(ringEpoch))
			ringRotate(t, r, k2, time.Hour)

			err := r.Rotate(tc.next, tc.retireFor)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("Rotate() error mismatch (-want +got):\n%s", diff)
			}
			want := []string{"k3", "k2", "k1"}
			wantActive := tc.next
			if err != nil {
				want, wantActive = []string{"k2", "k1"}, k2
			} else if tc.retireFor == 0 {
				want = []string{"k3", "k1"} // k2 retired for no time at all
			}
			if r.Active() != wantActive {
				t.Errorf("Active() = %v, want %v", r.Active(), wantActive)
			}
			if diff := cmp.Diff(want, ringKIDs(r.Keys())); diff != "" {
				t.Errorf("Keys() kids mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// A retired key verifies the tokens it signed until retireFor has passed,
// exactly, and not a second longer.
func TestKeyRingRetirement(t *testing.T) {
	t.Parallel()
	const retireFor = time.Hour
	for _, tc := range []struct {
		name       string
		after      time.Duration // time since the rotation
		wantOldErr error
		wantKIDs   []string
	}{
		{name: "at rotation", after: 0, wantKIDs: []string{"k2", "k1"}},
		{name: "retireFor-1s", after: retireFor - time.Second, wantKIDs: []string{"k2", "k1"}},
		{name: "retireFor", after: retireFor, wantOldErr: jwtx.ErrKeyNotFound, wantKIDs: []string{"k2"}},
		{name: "retireFor+1s", after: retireFor + time.Second, wantOldErr: jwtx.ErrKeyNotFound, wantKIDs: []string{"k2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := testutil.NewClock(ringEpoch)
			k1, k2 := ringES256(t, "k1"), ringES256(t, "k2")
			r := ringNew(t, k1, clock)
			iss := ringIssuer(t, r, clock)
			v := ringVerifier(t, r, clock)
			// Both tokens outlive the retirement, so only the key decides.
			oldTok := ringToken(t, iss, jwtx.ExpiresIn(3*time.Hour))
			ringRotate(t, r, k2, retireFor)
			newTok := ringToken(t, iss, jwtx.ExpiresIn(3*time.Hour))

			clock.Advance(tc.after)
			if diff := cmp.Diff(tc.wantOldErr, ringVerify(v, oldTok), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify(old token) error mismatch (-want +got):\n%s", diff)
			}
			if err := ringVerify(v, newTok); err != nil {
				t.Errorf("Verify(new token) = %v, want nil", err)
			}
			if diff := cmp.Diff(tc.wantKIDs, ringKIDs(r.Keys())); diff != "" {
				t.Errorf("Keys() kids mismatch (-want +got):\n%s", diff)
			}
			if r.Active() != k2 {
				t.Errorf("Active() = %v, want %v", r.Active(), k2)
			}
			published, err := jwtx.ParseJWKS(ringPublic(t, r), "")
			if err != nil {
				t.Fatalf("ParseJWKS(PublicJWKS()): %v", err)
			}
			if published.Len() != len(tc.wantKIDs) {
				t.Errorf("PublicJWKS() has %d keys, want %d", published.Len(), len(tc.wantKIDs))
			}
		})
	}
}

// ringPublic returns r's JWKS document.
func ringPublic(tb testing.TB, r *jwtx.KeyRing) []byte {
	tb.Helper()
	doc, err := r.PublicJWKS()
	if err != nil {
		tb.Fatalf("PublicJWKS: %v", err)
	}
	return doc
}

// Several rotations in a row keep every key whose retirement has not run
// out, and drop the others at the next rotation.
func TestKeyRingRotationChain(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(ringEpoch)
	k1 := ringES256(t, "k1")
	r := ringNew(t, k1, clock)
	iss := ringIssuer(t, r, clock)
	v := ringVerifier(t, r, clock)
	toks := map[string]string{"k1": ringToken(t, iss, jwtx.ExpiresIn(24*time.Hour))}

	ringRotate(t, r, ringES256(t, "k2"), 30*time.Minute)
	toks["k2"] = ringToken(t, iss, jwtx.ExpiresIn(24*time.Hour))
	clock.Advance(10 * time.Minute)
	ringRotate(t, r, ringES256(t, "k3"), 2*time.Hour)
	toks["k3"] = ringToken(t, iss, jwtx.ExpiresIn(24*time.Hour))

	if diff := cmp.Diff([]string{"k3", "k2", "k1"}, ringKIDs(r.Keys())); diff != "" {
		t.Fatalf("Keys() kids mismatch (-want +got):\n%s", diff)
	}
	for kid, tok := range toks {
		if err := ringVerify(v, tok); err != nil {
			t.Errorf("Verify(%s token) = %v, want nil", kid, err)
		}
	}

	// k1 was retired for 30 minutes; 40 minutes after the first rotation it
	// is gone, k2 (retired for 2 hours) is not.
	clock.Advance(30 * time.Minute)
	if diff := cmp.Diff([]string{"k3", "k2"}, ringKIDs(r.Keys())); diff != "" {
		t.Errorf("Keys() kids mismatch (-want +got):\n%s", diff)
	}
	for kid, wantErr := range map[string]error{"k1": jwtx.ErrKeyNotFound, "k2": nil, "k3": nil} {
		if diff := cmp.Diff(wantErr, ringVerify(v, toks[kid]), cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Verify(%s token) error mismatch (-want +got):\n%s", kid, diff)
		}
	}

	// The next rotation drops k1 for good, so its kid may be used again.
	ringRotate(t, r, ringES256(t, "k4"), time.Hour)
	ringRotate(t, r, ringES256(t, "k1"), time.Hour)
	if diff := cmp.Diff([]string{"k1", "k4", "k3", "k2"}, ringKIDs(r.Keys())); diff != "" {
		t.Errorf("Keys() kids mismatch (-want +got):\n%s", diff)
	}
	// The old k1 token does not verify under the new k1 key.
	if err := ringVerify(v, toks["k1"]); !errors.Is(err, jwtx.ErrSignature) {
		t.Errorf("Verify(token of the old k1) = %v, want %v", err, jwtx.ErrSignature)
	}
}

// An Issuer over a ring signs with the active key and writes its kid,
// and follows rotations without being rebuilt.
func TestKeyRingIssuerWritesActiveKID(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(ringEpoch)
	rsa2 := ringRSA(t, 1, jwtx.PS256, "k2").Private()
	r := ringNew(t, ringES256(t, "k1"), clock)
	iss := ringIssuer(t, r, clock)
	v := ringVerifier(t, r, clock)

	type header struct{ Alg, Kid any }
	got := func() header {
		tok := ringToken(t, iss)
		if err := ringVerify(v, tok); err != nil {
			t.Errorf("Verify() = %v, want nil", err)
		}
		h := ringHeader(t, tok)
		return header{Alg: h["alg"], Kid: h["kid"]}
	}
	if diff := cmp.Diff(header{Alg: "ES256", Kid: "k1"}, got()); diff != "" {
		t.Errorf("header before rotation mismatch (-want +got):\n%s", diff)
	}
	ringRotate(t, r, rsa2, time.Hour)
	if diff := cmp.Diff(header{Alg: "PS256", Kid: "k2"}, got()); diff != "" {
		t.Errorf("header after rotation mismatch (-want +got):\n%s", diff)
	}
	pair, err := iss.Pair(context.Background(), User{Name: "ring-user"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{pair.Access.Raw, pair.Refresh.Raw} {
		if kid := ringHeader(t, tok)["kid"]; kid != "k2" {
			t.Errorf("pair token kid = %v, want k2", kid)
		}
	}
}

// The ring picks the key by kid and binds it to its algorithm: an unknown
// kid, a missing kid once the ring has several keys, and a header alg other
// than the key's are refused.
func TestKeyRingVerificationKeySelection(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(ringEpoch)
	signedBy := func(key *jwtx.Key) string { return ringToken(t, ringIssuer(t, key, clock)) }
	k1Priv := ringECPriv(t)
	k1, err := jwtx.NewKey(jwtx.ES256, k1Priv, jwtx.WithKeyID("k1"))
	if err != nil {
		t.Fatal(err)
	}
	k1NoKID, err := jwtx.NewKey(jwtx.ES256, k1Priv)
	if err != nil {
		t.Fatal(err)
	}
	k1Unknown, err := jwtx.NewKey(jwtx.ES256, k1Priv, jwtx.WithKeyID("k9"))
	if err != nil {
		t.Fatal(err)
	}
	ring := ringNew(t, k1, clock)
	ringDouble := ringNew(t, k1, clock)
	ringRotate(t, ringDouble, ringES256(t, "k2"), time.Hour)

	for _, tc := range []struct {
		name    string
		ring    *jwtx.KeyRing
		token   string
		wantErr error
	}{
		{name: "active kid", ring: ring, token: signedBy(k1)},
		{name: "no kid, one key", ring: ring, token: signedBy(k1NoKID)},
		{name: "no kid, two keys", ring: ringDouble, token: signedBy(k1NoKID), wantErr: jwtx.ErrKeyNotFound},
		{name: "unknown kid", ring: ring, token: signedBy(k1Unknown), wantErr: jwtx.ErrKeyNotFound},
		{name: "retired kid", ring: ringDouble, token: signedBy(k1)},
		{name: "right kid, other key", ring: ring, token: signedBy(ringES256(t, "k1")), wantErr: jwtx.ErrSignature},
		{name: "right kid, other alg", ring: ring, token: ringRSAToken(t, "k1", clock), wantErr: jwtx.ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := ringVerifier(t, tc.ring, clock)
			if diff := cmp.Diff(tc.wantErr, ringVerify(v, tc.token), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// ringRSAToken returns an RS256 token with the given kid.
func ringRSAToken(tb testing.TB, kid string, clock jwtx.Clock) string {
	tb.Helper()
	return ringToken(tb, ringIssuer(tb, ringRSA(tb, 0, jwtx.RS256, kid).Private(), clock))
}

// Many goroutines issue and verify while another rotates the ring: every
// token verifies, since retired keys outlive the test. Run under -race.
func TestKeyRingConcurrentRotation(t *testing.T) {
	t.Parallel()
	const (
		workers   = 8
		perWorker = 200
		rotations = 50
	)
	clock := testutil.NewClock(ringEpoch)
	next := make([]*jwtx.Key, rotations)
	for i := range next {
		next[i] = ringES256(t, "k"+strings.Repeat("+", i+1))
	}
	r := ringNew(t, ringES256(t, "k"), clock)
	iss := ringIssuer(t, r, clock)
	v := ringVerifier(t, r, clock)

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, workers*perWorker+rotations)
	wg.Go(func() {
		<-start
		for _, k := range next {
			if err := r.Rotate(k, time.Hour); err != nil {
				errs <- err
			}
			_ = r.Keys()
			_ = r.Active()
			if _, err := r.PublicJWKS(); err != nil {
				errs <- err
			}
		}
	})
	for range workers {
		wg.Go(func() {
			<-start
			for range perWorker {
				tok, err := iss.Access(context.Background(), User{Name: "ring-user"})
				if err != nil {
					errs <- err
					continue
				}
				if err := ringVerify(v, tok.Raw); err != nil {
					errs <- err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent issue/verify/rotate: %v", err)
	}
	if got, want := len(r.Keys()), rotations+1; got != want {
		t.Errorf("len(Keys()) = %d, want %d", got, want)
	}
	if r.Active() != next[rotations-1] {
		t.Errorf("Active() = %v, want %v", r.Active(), next[rotations-1])
	}
}

// PublicJWKS publishes the public halves of every live key with kid, alg
// and use "sig", and never a private or secret member.
func TestKeyRingPublicJWKS(t *testing.T) {
	t.Parallel()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsKey := ringRSA(t, 0, jwtx.RS256, "rs-1").Private()
	psKey := ringRSA(t, 1, jwtx.PS384, "ps-1").Private()
	edKey, err := jwtx.NewKey(jwtx.EdDSA, edPriv, jwtx.WithKeyID("ed-1"))
	if err != nil {
		t.Fatal(err)
	}
	clock := testutil.NewClock(ringEpoch)
	r := ringNew(t, ringES256(t, "es-1"), clock)
	for _, k := range []*jwtx.Key{rsKey, psKey, edKey} {
		ringRotate(t, r, k, time.Hour)
	}
	doc := ringPublic(t, r)

	type member struct{ Kid, Kty, Alg, Use any }
	var got []member
	for _, m := range ringJWKSMembers(t, doc) {
		for _, name := range ringPrivateMembers {
			if _, ok := m[name]; ok {
				t.Errorf("key %v carries the private member %q", m["kid"], name)
			}
		}
		got = append(got, member{Kid: m["kid"], Kty: m["kty"], Alg: m["alg"], Use: m["use"]})
	}
	want := []member{
		{Kid: "ed-1", Kty: "OKP", Alg: "EdDSA", Use: "sig"},
		{Kid: "ps-1", Kty: "RSA", Alg: "PS384", Use: "sig"},
		{Kid: "rs-1", Kty: "RSA", Alg: "RS256", Use: "sig"},
		{Kid: "es-1", Kty: "EC", Alg: "ES256", Use: "sig"},
	}
	byKID := cmpopts.SortSlices(func(a, b member) bool { return a.Kid.(string) < b.Kid.(string) })
	if diff := cmp.Diff(want, got, byKID); diff != "" {
		t.Errorf("PublicJWKS() keys mismatch (-want +got):\n%s", diff)
	}

	// The published set verifies what the ring issues, old and new.
	set, err := jwtx.ParseJWKS(doc, "")
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	v := ringVerifier(t, set, clock)
	if err := ringVerify(v, ringToken(t, ringIssuer(t, r, clock))); err != nil {
		t.Errorf("Verify(token of the active key) with the published set = %v", err)
	}
	if err := ringVerify(v, ringToken(t, ringIssuer(t, rsKey, clock))); err != nil {
		t.Errorf("Verify(token of a retired key) with the published set = %v", err)
	}
}

// A ring of HMAC keys has nothing public: PublicJWKS refuses it, and so do
// the other ways to a JWK Set, so a secret never leaves through a JWKS.
func TestKeyRingPublicJWKSRefusesHMAC(t *testing.T) {
	t.Parallel()
	hs := ringHS256(t, "hs-1")
	r := ringNew(t, hs, testutil.NewClock(ringEpoch))
	ringRotate(t, r, ringHS256(t, "hs-2"), time.Hour)
	set, err := jwtx.NewKeySet(hs)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		src  jwtx.PublicKeySource
	}{
		{name: "KeyRing", src: r},
		{name: "Key", src: hs},
		{name: "KeySet", src: set},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := tc.src.PublicJWKS()
			if !errors.Is(err, jwtx.ErrKey) {
				t.Errorf("PublicJWKS() error = %v, want %v", err, jwtx.ErrKey)
			}
			if doc != nil {
				t.Errorf("PublicJWKS() = %q with an error, want nil", doc)
			}
		})
	}
	if _, err := jwtx.MarshalJWKS(ringES256(t, "es-1"), hs); !errors.Is(err, jwtx.ErrKey) {
		t.Errorf("MarshalJWKS(EC, HMAC) error = %v, want %v", err, jwtx.ErrKey)
	}
}

// Public keys can be published without their private halves at hand: a
// verification-only key yields the same document as its private key.
func TestMarshalJWKSPublicHalves(t *testing.T) {
	t.Parallel()
	k := ringES256(t, "es-1")
	fromPrivate, err := jwtx.MarshalJWKS(k)
	if err != nil {
		t.Fatal(err)
	}
	fromPublic, err := jwtx.MarshalJWKS(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ringJWKSMembers(t, fromPrivate), ringJWKSMembers(t, fromPublic)); diff != "" {
		t.Errorf("MarshalJWKS(private) vs MarshalJWKS(public) mismatch (-private +public):\n%s", diff)
	}
	members := ringJWKSMembers(t, fromPrivate)
	if len(members) != 1 || slices.ContainsFunc(ringPrivateMembers, func(n string) bool { _, ok := members[0][n]; return ok }) {
		t.Errorf("MarshalJWKS() = %s, want one public key", fromPrivate)
	}
}
