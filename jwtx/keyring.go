package jwtx

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// KeyRing holds the key an Issuer signs with and the keys it signed with
// before, still accepted for verification until the tokens they signed have
// expired. Rotating is one call and safe while requests are in flight:
// readers never wait for it. Every key in a ring has a distinct kid.
//
// A *KeyRing is a [SigningKey], a [VerificationKeys] and a [PublicKeySource]
// for a JWKS endpoint. It is safe for concurrent use.
type KeyRing struct {
	clock Clock
	mu    sync.Mutex // serialises rotations
	state atomic.Pointer[ringState]
}

// ringState is one immutable generation of a ring.
type ringState struct {
	active  *Key
	retired []retiredKey
	byKID   map[string]*Key
	algs    []Algorithm
}

type retiredKey struct {
	key   *Key
	until time.Time
}

// A KeyRingOption configures a [KeyRing]; [WithClock] is one. Only this
// package can create them.
type KeyRingOption interface {
	applyKeyRing(*KeyRing) error
}

// NewKeyRing returns a ring whose active key is active, which must be able
// to sign and have a kid. Its clock ([WithClock]) decides when retired keys
// drop out.
func NewKeyRing(active *Key, opts ...KeyRingOption) (*KeyRing, error) {
	if err := checkRingKey(active); err != nil {
		return nil, err
	}
	r := &KeyRing{clock: systemClock{}}
	if err := applyOptions(opts, func(o KeyRingOption) error { return o.applyKeyRing(r) }); err != nil {
		return nil, err
	}
	r.state.Store(newRingState(active, nil))
	return r, nil
}

func checkRingKey(k *Key) error {
	switch {
	case k == nil:
		return fmt.Errorf("%w: nil key", ErrKey)
	case !k.CanSign():
		return fmt.Errorf("%w: %v cannot sign", ErrKey, k)
	case k.kid == "":
		return fmt.Errorf("%w: a key in a ring needs a kid: build it with WithKeyID", ErrKey)
	}
	return nil
}

func newRingState(active *Key, retired []retiredKey) *ringState {
	s := &ringState{active: active, retired: retired, byKID: map[string]*Key{active.kid: active}, algs: []Algorithm{active.alg}}
	for _, r := range retired {
		s.byKID[r.key.kid] = r.key
		if !slices.Contains(s.algs, r.key.alg) {
			s.algs = append(s.algs, r.key.alg)
		}
	}
	return s
}

// Rotate makes next the active key. The previous active key is retired: it
// verifies tokens for retireFor more (the longest lifetime of the tokens it
// signed, the refresh token lifetime when it signs those), then drops out.
// Retired keys whose time is up are dropped now. next must not reuse the kid
// of a key still in the ring, and must be of the same family (HMAC or
// asymmetric) as the ring's keys.
func (r *KeyRing) Rotate(next *Key, retireFor time.Duration) error {
	if err := checkRingKey(next); err != nil {
		return err
	}
	if retireFor < 0 {
		return fmt.Errorf("%w: negative retirement %v: keep a retired key for the longest lifetime of the tokens it signed", ErrConfig, retireFor)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.state.Load()
	if _, dup := old.byKID[next.kid]; dup {
		return fmt.Errorf("%w: kid %q is already in the ring", ErrKey, truncate(next.kid))
	}
	if (next.k.Family() == jose.HMAC) != (old.active.k.Family() == jose.HMAC) {
		return fmt.Errorf("%w: a key ring cannot mix HMAC and asymmetric keys", ErrKey)
	}
	now := r.clock.Now()
	retired := []retiredKey{{key: old.active, until: now.Add(retireFor)}}
	for _, k := range old.retired {
		if now.Before(k.until) {
			retired = append(retired, k)
		}
	}
	r.state.Store(newRingState(next, retired))
	return nil
}

// Active returns the key tokens are signed with now.
func (r *KeyRing) Active() *Key { return r.state.Load().active }

// Keys returns the active key and the retired keys still accepted.
func (r *KeyRing) Keys() []*Key {
	s := r.state.Load()
	now := r.clock.Now()
	keys := []*Key{s.active}
	for _, k := range s.retired {
		if now.Before(k.until) {
			keys = append(keys, k.key)
		}
	}
	return keys
}

func (r *KeyRing) signingKey() (*Key, error) {
	if err := r.usable(); err != nil {
		return nil, err
	}
	return r.state.Load().active, nil
}

func (r *KeyRing) usable() error {
	if r == nil || r.state.Load() == nil {
		return fmt.Errorf("%w: nil or zero KeyRing; build rings with NewKeyRing", ErrKey)
	}
	return nil
}

func (r *KeyRing) verificationKey(_ context.Context, kid []byte, hasKID bool, alg []byte) (*Key, error) {
	s := r.state.Load()
	var k *Key
	if hasKID {
		k = s.byKID[string(kid)]
	} else if len(s.byKID) == 1 {
		k = s.active
	}
	if k == nil {
		return nil, ErrKeyNotFound
	}
	if k != s.active && !r.live(s, k) {
		return nil, ErrKeyNotFound
	}
	if string(alg) != string(k.alg) {
		return nil, ErrAlgorithm
	}
	return k.Public(), nil
}

// live reports whether a retired key is still accepted.
func (r *KeyRing) live(s *ringState, k *Key) bool {
	now := r.clock.Now()
	for _, rk := range s.retired {
		if rk.key == k {
			return now.Before(rk.until)
		}
	}
	return false
}

func (r *KeyRing) algorithms() []Algorithm { return r.state.Load().algs }
