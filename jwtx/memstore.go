package jwtx

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// A RevocationStore records revocations and answers a Verifier's questions
// about them: a [Revoker] and a [RevocationChecker], plus "log out
// everywhere". Revoke revokes the token and, when it belongs to a family,
// the whole family. Implementations are safe for concurrent use.
type RevocationStore interface {
	Revoker
	RevocationChecker
	// RevokeSubject revokes every token of subject issued before (or at)
	// before.
	RevokeSubject(ctx context.Context, subject string, before time.Time) error
}

// A RotationStore tracks refresh-token families (see WithFamilies) so that
// each refresh token is used once. Rotate must be atomic: of two calls with
// the same from, exactly one succeeds.
type RotationStore interface {
	// Rotate retires refresh token id from of family fam and makes to the
	// one token of the family that may be used next. A from that is not
	// the family's current token revokes the family and returns
	// ErrReused; a revoked family returns ErrRevoked. The first Rotate of a
	// family the store does not know starts it. until is when the family's
	// last token expires, after which its record may go.
	Rotate(ctx context.Context, fam, from, to string, until time.Time) error
}

// DefaultMemoryStoreSize is the default entry limit of a MemoryStore.
const DefaultMemoryStoreSize = 1 << 20

// MemoryStore is an in-memory [RevocationStore] and [RotationStore] for a
// single process. A
// revoked token id stays until the token would have expired anyway, then it
// is dropped; a "log out everywhere" cutoff stays as long as the longest
// token lifetime it may cover (maxAge). Memory is bounded by an entry limit.
// It is safe for concurrent use; its state is lost when the process stops.
type MemoryStore struct {
	mu       sync.Mutex
	clock    Clock
	limit    int
	maxAge   time.Duration
	ids      map[string]time.Time // jti -> expiry (zero: never expires)
	subjects map[string]cutoff
	families map[string]*family
	swept    time.Time
}

// family is the rotation state of one login.
type family struct {
	current string
	revoked bool
	until   time.Time
}

// sweepEvery is how often writes drop expired entries.
const sweepEvery = time.Minute

type cutoff struct {
	before time.Time
	drop   time.Time
}

// NewMemoryStore returns an empty MemoryStore holding at most limit
// revocations (DefaultMemoryStoreSize when limit is 0). maxAge is the
// longest token lifetime in use (the refresh token lifetime), after which a
// subject cutoff can no longer matter; clock may be nil for the system
// clock.
func NewMemoryStore(limit int, maxAge time.Duration, clock Clock) (*MemoryStore, error) {
	if limit < 0 || maxAge <= 0 {
		return nil, fmt.Errorf("%w: memory store limit %d, max age %v", ErrConfig, limit, maxAge)
	}
	if limit == 0 {
		limit = DefaultMemoryStoreSize
	}
	if clock == nil {
		clock = systemClock{}
	}
	return &MemoryStore{
		clock: clock, limit: limit, maxAge: maxAge,
		ids: map[string]time.Time{}, subjects: map[string]cutoff{}, families: map[string]*family{},
	}, nil
}

// Revoke records that the token is revoked until its expiry and, when it
// belongs to a family, revokes the family for the family's lifetime. A
// token without an ID cannot be revoked.
func (s *MemoryStore) Revoke(_ context.Context, t TokenInfo) error {
	if t.ID == "" {
		return &ClaimError{Claim: "jti", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Family != "" {
		if err := s.revokeFamily(now, t.Family, now.Add(s.maxAge)); err != nil {
			return err
		}
	}
	if !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt) {
		return nil
	}
	if _, ok := s.ids[t.ID]; !ok {
		if err := s.makeRoom(now); err != nil {
			return err
		}
	}
	s.ids[t.ID] = t.ExpiresAt
	return nil
}

// revokeFamily marks a family revoked. s.mu is held.
func (s *MemoryStore) revokeFamily(now time.Time, fam string, until time.Time) error {
	f, ok := s.families[fam]
	if !ok {
		if err := s.makeRoom(now); err != nil {
			return err
		}
		f = &family{}
		s.families[fam] = f
	}
	f.revoked = true
	if until.After(f.until) {
		f.until = until
	}
	return nil
}

// Rotate implements [RotationStore].
func (s *MemoryStore) Rotate(_ context.Context, fam, from, to string, until time.Time) error {
	switch {
	case fam == "":
		return &ClaimError{Claim: "fam", Err: ErrMissingClaim}
	case from == "", to == "":
		return &ClaimError{Claim: "jti", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.families[fam]
	switch {
	case !ok:
		if err := s.makeRoom(now); err != nil {
			return err
		}
		s.families[fam] = &family{current: to, until: until}
		return nil
	case f.revoked:
		return ErrRevoked
	case f.current != from:
		f.revoked = true
		return ErrReused
	}
	f.current = to
	if until.After(f.until) {
		f.until = until
	}
	return nil
}

// RevokeSubject revokes every token of subject issued at or before before.
func (s *MemoryStore) RevokeSubject(_ context.Context, subject string, before time.Time) error {
	if subject == "" {
		return &ClaimError{Claim: "sub", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.subjects[subject]
	if !ok {
		if err := s.makeRoom(now); err != nil {
			return err
		}
	}
	if ok && old.before.After(before) {
		before = old.before
	}
	s.subjects[subject] = cutoff{before: before, drop: now.Add(s.maxAge)}
	return nil
}

// Revoked reports whether the token's ID was revoked, or its subject was
// revoked after the token was issued.
func (s *MemoryStore) Revoked(_ context.Context, t TokenInfo) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[t.ID]; ok && t.ID != "" {
		return true, nil
	}
	if f, ok := s.families[t.Family]; ok && t.Family != "" && f.revoked {
		return true, nil
	}
	if c, ok := s.subjects[t.Subject]; ok && !t.IssuedAt.After(c.before) {
		return true, nil
	}
	return false, nil
}

// Len returns the number of entries held.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size()
}

func (s *MemoryStore) size() int { return len(s.ids) + len(s.subjects) + len(s.families) }

// makeRoom drops expired entries, at most once per sweepEvery, and fails
// when the store is still full. s.mu is held.
func (s *MemoryStore) makeRoom(now time.Time) error {
	full := s.size() >= s.limit
	if now.Sub(s.swept) < sweepEvery {
		// Swept lately: a full store stays full until entries expire, and
		// sweeping on every write would hold the lock verifiers need.
		if full {
			return ErrStoreFull
		}
		return nil
	}
	s.swept = now
	for id, exp := range s.ids {
		if !exp.IsZero() && !now.Before(exp) {
			delete(s.ids, id)
		}
	}
	for sub, c := range s.subjects {
		if !now.Before(c.drop) {
			delete(s.subjects, sub)
		}
	}
	for fam, f := range s.families {
		if !f.until.IsZero() && !now.Before(f.until) {
			delete(s.families, fam)
		}
	}
	if s.size() >= s.limit {
		return ErrStoreFull
	}
	return nil
}
