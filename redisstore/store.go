package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
)

var (
	_ jwtx.RevocationStore = (*Store)(nil)
	_ jwtx.RotationStore   = (*Store)(nil)
)

// Store is a [jwtx.RevocationStore] and [jwtx.RotationStore] kept in Redis,
// shared by every process that uses the same Redis database and prefix.
// Every key expires when the tokens it is about could no longer be
// accepted anyway: their exp plus [jwtx.MaxLeeway], the largest leeway a
// Verifier may allow. A Store is safe for concurrent use. It holds no state
// besides its configuration, so it needs no restart when Redis restarts;
// Redis must persist its data (AOF or RDB) for the revocations to survive.
type Store struct {
	client        redis.UniversalClient
	prefix        string
	clock         jwtx.Clock
	maxAge        time.Duration
	start         *redis.Script
	rotate        *redis.Script
	revoke        *redis.Script
	revokeSubject *redis.Script
}

// New returns a Store that keeps its records in client: a *redis.Client,
// a failover client, or a *redis.ClusterClient with a prefix that holds a
// hash tag (see the package documentation). It returns an error wrapping
// [jwtx.ErrConfig] for a nil client, a bad option, or a cluster client
// with a prefix without hash tag; it does not contact Redis.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: redisstore: nil client", jwtx.ErrConfig)
	}
	cfg := config{prefix: DefaultPrefix, clock: jwtx.ClockFunc(time.Now), maxAge: DefaultMaxTokenLifetime}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: redisstore: nil option", jwtx.ErrConfig)
		}
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	if _, ok := client.(*redis.ClusterClient); ok && !hasHashTag(cfg.prefix) {
		return nil, fmt.Errorf("%w: redisstore: with Redis Cluster, the key prefix %q needs a hash tag, such as %q",
			jwtx.ErrConfig, cfg.prefix, "{jwtx}:")
	}
	return &Store{
		client:        client,
		prefix:        cfg.prefix,
		clock:         cfg.clock,
		maxAge:        cfg.maxAge,
		start:         redis.NewScript(startScript),
		rotate:        redis.NewScript(rotateScript),
		revoke:        redis.NewScript(revokeScript),
		revokeSubject: redis.NewScript(revokeSubjectScript),
	}, nil
}

// Revoked reports whether the token's ID was revoked, its family was
// revoked, or its subject was revoked at or after the token was issued. It
// reads the three records with one MGET: one command, one round trip. A
// Redis error is returned wrapped, with false; a Verifier then refuses the
// token with [jwtx.ErrRevocationUnavailable].
func (s *Store) Revoked(ctx context.Context, t jwtx.TokenInfo) (bool, error) {
	vals, err := s.client.MGet(ctx, s.key(jtiSpace, t.ID), s.key(subSpace, t.Subject), s.key(famSpace, t.Family)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: revoked: %w", err)
	}
	if len(vals) != 3 {
		return false, fmt.Errorf("redisstore: revoked: MGET returned %d values for 3 keys", len(vals))
	}
	if t.ID != "" && vals[0] != nil {
		return true, nil
	}
	if cutoff, ok := vals[1].(string); ok && t.Subject != "" && stamp(t.IssuedAt) <= cutoff {
		return true, nil
	}
	if state, ok := vals[2].(string); ok && t.Family != "" && strings.HasPrefix(state, famRevoked) {
		return true, nil
	}
	return false, nil
}

// Revoke records that the token is revoked until it can no longer verify,
// its exp plus [jwtx.MaxLeeway] (a token without exp: for good) and, when
// it belongs to a family, revokes the family for at least the max token
// lifetime, in one atomic script. A token past that time is not stored,
// but still revokes its family. A token
// without an ID returns an error wrapping [jwtx.ErrMissingClaim]; a Redis
// error is returned wrapped.
func (s *Store) Revoke(ctx context.Context, t jwtx.TokenInfo) error {
	if t.ID == "" {
		return &jwtx.ClaimError{Claim: "jti", Err: jwtx.ErrMissingClaim}
	}
	now := s.clock.Now()
	var ttl int64 // 0: expired, nothing to store
	switch {
	case t.ExpiresAt.IsZero():
		ttl = noExpiry
	case now.Before(t.ExpiresAt.Add(jwtx.MaxLeeway)):
		ttl = millis(t.ExpiresAt.Add(jwtx.MaxLeeway).Sub(now))
	}
	keys := []string{s.key(jtiSpace, t.ID)}
	if t.Family != "" {
		keys = append(keys, s.key(famSpace, t.Family))
	} else if ttl == 0 {
		return nil
	}
	if err := s.revoke.Run(ctx, s.client, keys, ttl, millis(s.maxAge+jwtx.MaxLeeway)).Err(); err != nil {
		return fmt.Errorf("redisstore: revoke: %w", err)
	}
	return nil
}

// RevokeSubject revokes every token of subject issued at or before before.
// The cutoff only ever moves forward, and stays for the max token lifetime
// plus [jwtx.MaxLeeway] (from before, when before is in the future). An empty subject returns an
// error wrapping [jwtx.ErrMissingClaim]; a Redis error is returned wrapped.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before time.Time) error {
	if subject == "" {
		return &jwtx.ClaimError{Claim: "sub", Err: jwtx.ErrMissingClaim}
	}
	ttl := s.maxAge + jwtx.MaxLeeway
	if ahead := before.Sub(s.clock.Now()); ahead > 0 {
		ttl += ahead
	}
	err := s.revokeSubject.Run(ctx, s.client, []string{s.key(subSpace, subject)}, stamp(before), millis(ttl)).Err()
	if err != nil {
		return fmt.Errorf("redisstore: revoke subject: %w", err)
	}
	return nil
}

// Start implements [jwtx.RotationStore]: it records a new family whose
// current refresh token is first.ID, until first.ExpiresAt plus
// [jwtx.MaxLeeway], with one SET-if-absent script. Starting it again with
// the same token does nothing; with another, or a revoked family, it
// returns [jwtx.ErrReused]. Missing arguments return an error wrapping
// [jwtx.ErrMissingClaim]; a Redis error is returned wrapped.
func (s *Store) Start(ctx context.Context, first jwtx.TokenInfo) error {
	switch {
	case first.Family == "":
		return &jwtx.ClaimError{Claim: "fam", Err: jwtx.ErrMissingClaim}
	case first.ID == "":
		return &jwtx.ClaimError{Claim: "jti", Err: jwtx.ErrMissingClaim}
	}
	nonce, err := newNonce()
	if err != nil {
		return fmt.Errorf("redisstore: start: %w", err)
	}
	res, err := s.start.Run(ctx, s.client, []string{s.key(famSpace, first.Family)}, nonce, first.ID, s.familyTTL(first.ExpiresAt)).Int()
	if err != nil {
		return fmt.Errorf("redisstore: start: %w", err)
	}
	if res != rotated {
		return fmt.Errorf("%w: redisstore: the family was already started", jwtx.ErrReused)
	}
	return nil
}

// Rotate implements [jwtx.RotationStore] with one Lua script, an atomic
// compare-and-set on the family's record: of concurrent calls with the
// same from, exactly one succeeds. A from that is not the family's current
// token revokes the family and returns [jwtx.ErrReused]; a revoked family,
// or one that was never started (or was lost), returns an error wrapping
// [jwtx.ErrRevoked]. The family's record expires at until plus
// [jwtx.MaxLeeway] (a zero until: never), or later if an earlier token of
// the family expires later. Missing arguments return an error wrapping
// [jwtx.ErrMissingClaim]; a Redis error is returned wrapped, and the
// caller must then refuse the refresh.
func (s *Store) Rotate(ctx context.Context, fam, from, to string, until time.Time) error {
	switch {
	case fam == "":
		return &jwtx.ClaimError{Claim: "fam", Err: jwtx.ErrMissingClaim}
	case from == "", to == "":
		return &jwtx.ClaimError{Claim: "jti", Err: jwtx.ErrMissingClaim}
	}
	nonce, err := newNonce()
	if err != nil {
		return fmt.Errorf("redisstore: rotate: %w", err)
	}
	res, err := s.rotate.Run(ctx, s.client, []string{s.key(famSpace, fam)},
		nonce, from, to, s.familyTTL(until)).Int()
	if err != nil {
		return fmt.Errorf("redisstore: rotate: %w", err)
	}
	switch res {
	case rotated:
		return nil
	case reused:
		return jwtx.ErrReused
	case revoked:
		return jwtx.ErrRevoked
	case unknown:
		return fmt.Errorf("%w: redisstore: the store does not know this refresh family (never started by an Issuer built with jwtx.WithRotation, or lost): the user must log in again", jwtx.ErrRevoked)
	}
	return fmt.Errorf("redisstore: rotate: unexpected script result %d", res)
}

// familyTTL is the TTL in ms of a family whose last token expires at
// until: until plus MaxLeeway, at least 1, or noExpiry for a zero until.
func (s *Store) familyTTL(until time.Time) int64 {
	if until.IsZero() {
		return noExpiry
	}
	return max(millis(until.Add(jwtx.MaxLeeway).Sub(s.clock.Now())), 1)
}

// newNonce returns 32 random hex digits, which let a script recognise a
// retry of its own call.
func newNonce() (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(nonce[:]), nil
}

// hasHashTag reports whether Redis Cluster hashes keys that start with
// prefix by a part of prefix only: a non-empty {…} in it.
func hasHashTag(prefix string) bool {
	_, rest, ok := strings.Cut(prefix, "{")
	end := strings.IndexByte(rest, '}')
	return ok && end > 0
}

// noExpiry is the TTL the scripts read as "keep the key for good".
const noExpiry = -1

// key returns the Redis key of id in space.
func (s *Store) key(space, id string) string { return s.prefix + space + id }

// millis returns d in milliseconds, rounded up, or 0 for d <= 0.
func millis(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// stamp encodes t as 20 decimal digits whose byte order is time order:
// Unix nanoseconds, offset by 2^63 so that they are never negative, and
// clamped to the years 1678 to 2262 that int64 nanoseconds cover.
func stamp(t time.Time) string {
	var ns int64
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		ns = math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		ns = math.MaxInt64
	default:
		ns = t.UnixNano()
	}
	return fmt.Sprintf("%020d", uint64(ns)^(1<<63))
}
