package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
)

var (
	_ jwtx.RevocationStore = (*Store)(nil)
	_ jwtx.RotationStore   = (*Store)(nil)
)

// ErrBusy reports a call refused at once because too many calls to Redis
// are already waiting (see [WithMaxInFlight]): Redis is slow or
// unreachable. A Verifier refuses the token with
// jwtx.ErrRevocationUnavailable, and httpx answers 503.
var ErrBusy = errors.New("redisstore: too many calls to Redis waiting; Redis is slow or unreachable")

// Store is a [jwtx.RevocationStore] and [jwtx.RotationStore] kept in Redis,
// shared by every process that uses the same Redis database and prefix.
// Every key expires when the tokens it is about could no longer be
// accepted anyway: their exp plus [jwtx.MaxLeeway], the largest leeway a
// Verifier may allow. A Store is safe for concurrent use. It needs no
// restart when Redis restarts; see the package documentation for what it
// does when Redis comes back empty.
type Store struct {
	client        redis.UniversalClient
	cluster       bool
	slotTags      []string // a marker tag per hash slot, on a cluster
	detach        bool     // the client ignores context deadlines
	cfg           config
	slots         chan struct{}
	ready         atomic.Bool // Check has passed
	start         *redis.Script
	rotate        *redis.Script
	revoke        *redis.Script
	revokeSubject *redis.Script
	loss          *redis.Script
}

// New returns a Store that keeps its records in client: a *redis.Client
// (from redis.NewClient or redis.NewFailoverClient) or a
// *redis.ClusterClient. Any other client, a *redis.Ring in particular, is
// refused: a Ring moves keys to other shards when one goes down, and the
// revocations on it would be forgotten. New does not contact Redis; the
// first call does, through [Store.Check]. It returns an error wrapping
// [jwtx.ErrConfig] for a nil or unsupported client or a bad option.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	s := &Store{client: client}
	switch c := client.(type) {
	case *redis.Client:
		if c == nil {
			return nil, fmt.Errorf("%w: redisstore: nil client", jwtx.ErrConfig)
		}
		s.detach = !c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		if c == nil {
			return nil, fmt.Errorf("%w: redisstore: nil client", jwtx.ErrConfig)
		}
		s.cluster, s.detach = true, !c.Options().ContextTimeoutEnabled
	case nil:
		return nil, fmt.Errorf("%w: redisstore: nil client", jwtx.ErrConfig)
	case *redis.Ring:
		return nil, fmt.Errorf("%w: redisstore: a *redis.Ring moves keys to another shard when one is down, which forgets revocations; use a *redis.ClusterClient (Redis Cluster) or a *redis.Client", jwtx.ErrConfig)
	default:
		return nil, fmt.Errorf("%w: redisstore: unsupported client %T; use a *redis.Client or a *redis.ClusterClient", jwtx.ErrConfig, client)
	}
	s.cfg = defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: redisstore: nil option", jwtx.ErrConfig)
		}
		if err := o.apply(&s.cfg); err != nil {
			return nil, err
		}
	}
	s.slots = make(chan struct{}, s.cfg.maxInFlight)
	if s.cluster && !hasHashTag(s.cfg.prefix) {
		s.slotTags = slotTags()
	}
	s.start = redis.NewScript(startScript)
	s.rotate = redis.NewScript(rotateScript)
	s.revoke = redis.NewScript(revokeScript)
	s.revokeSubject = redis.NewScript(revokeSubjectScript)
	s.loss = redis.NewScript(lossScript)
	return s, nil
}

// Check checks that Redis is fit to keep revocations, and is called by
// the first call of the store (and again after a failed one); call it at
// start-up to fail fast. It reads maxmemory-policy on every master: a
// policy that evicts keys (every key of the store has a TTL, so volatile-*
// policies evict them too) would silently forget revocations, and is
// refused unless [WithAllowEviction] says otherwise. A Redis that refuses
// CONFIG GET (as some managed services do) is not checked. It also writes
// the marker the store detects data loss by, when it is missing.
func (s *Store) Check(ctx context.Context) error {
	return s.call(ctx, "check", s.check)
}

// check is Check without the deadline.
func (s *Store) check(ctx context.Context) error {
	var mu sync.Mutex // ForEachMaster calls read from a goroutine per master
	var policies []string
	read := func(ctx context.Context, c *redis.Client) error {
		p, err := maxmemoryPolicy(ctx, c)
		if err == nil && p != "" {
			mu.Lock()
			policies = append(policies, p)
			mu.Unlock()
		}
		return err
	}
	var err error
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return read(ctx, c)
		})
	} else {
		err = read(ctx, s.client.(*redis.Client))
	}
	if err != nil {
		return fmt.Errorf("redisstore: reading maxmemory-policy: %w", err)
	}
	for _, p := range policies {
		if p == "noeviction" {
			continue
		}
		if s.cfg.allowEviction == nil {
			return fmt.Errorf("%w: redisstore: Redis evicts keys (maxmemory-policy %s), which forgets revocations: set maxmemory-policy noeviction, or accept the risk with WithAllowEviction", jwtx.ErrConfig, p)
		}
		s.cfg.allowEviction(p)
	}
	if s.cfg.lossCutoff {
		if err := s.markAll(ctx); err != nil {
			return err
		}
	}
	s.ready.Store(true)
	return nil
}

// maxmemoryPolicy reads the policy of one Redis server, or "" when the
// server does not allow CONFIG GET.
func maxmemoryPolicy(ctx context.Context, c *redis.Client) (string, error) {
	res, err := c.ConfigGet(ctx, "maxmemory-policy").Result()
	var rerr redis.Error
	switch {
	case errors.As(err, &rerr):
		return "", nil // CONFIG disabled or not permitted: nothing to check
	case err != nil:
		return "", err
	}
	return res["maxmemory-policy"], nil
}

// setupTimeout bounds Check and ForgiveLoss.
const setupTimeout = 10 * time.Second

// call runs op with the store's deadline and in-flight bound; the first
// call of the store runs Check first. A client that does not honour
// context deadlines (ContextTimeoutEnabled false) runs op in a goroutine
// of its own, so that the caller returns at the deadline all the same; the
// in-flight bound then also bounds those goroutines.
func (s *Store) call(ctx context.Context, what string, op func(context.Context) error) error {
	select {
	case s.slots <- struct{}{}:
	default:
		return fmt.Errorf("redisstore: %s: %w", what, ErrBusy)
	}
	timeout := s.cfg.timeout
	if what == "check" || what == "forgive loss" {
		// Run once, at start or by an operator: they write a marker per
		// hash slot on a cluster, and may take longer than a check.
		timeout = max(timeout, setupTimeout)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	run := func() error {
		defer func() { <-s.slots }()
		if !s.ready.Load() && what != "check" {
			if err := s.check(ctx); err != nil {
				return err
			}
		}
		return op(ctx)
	}
	defer cancel()
	if !s.detach {
		return wrap(what, run())
	}
	done := make(chan error, 1)
	go func() { done <- run() }()
	select {
	case err := <-done:
		return wrap(what, err)
	case <-ctx.Done():
		return fmt.Errorf("redisstore: %s: %w", what, ctx.Err())
	}
}

// wrap prefixes a Redis error with the call it failed in.
func wrap(what string, err error) error {
	if err == nil || strings.HasPrefix(err.Error(), "redisstore: ") || errors.Is(err, jwtx.ErrConfig) {
		return err
	}
	return fmt.Errorf("redisstore: %s: %w", what, err)
}

// Revoked reports whether the token's ID was revoked, its family was
// revoked, its subject was revoked at or after the token was issued, or
// Redis lost its data after the token was issued. It reads the records
// with one MGET on a single Redis; on a cluster, with one pipeline, one
// round trip per node involved. A Redis error is returned wrapped, with
// false; a Verifier then refuses the token with
// [jwtx.ErrRevocationUnavailable].
func (s *Store) Revoked(ctx context.Context, t jwtx.TokenInfo) (bool, error) {
	var revoked bool
	err := s.call(ctx, "revoked", func(ctx context.Context) error {
		var err error
		revoked, err = s.revoked(ctx, t)
		return err
	})
	if err != nil {
		// After a timeout the call may still be running, and writing.
		return false, err
	}
	return revoked, nil
}

func (s *Store) revoked(ctx context.Context, t jwtx.TokenInfo) (bool, error) {
	keys := []string{s.jtiKey(t.ID, t.Family), s.subjectKey(t.Subject), s.familyKey(t.Family)}
	if s.cfg.lossCutoff {
		keys = s.withMarkers(keys)
	}
	vals, err := s.read(ctx, keys)
	if err != nil {
		return false, err
	}
	if t.ID != "" && vals[0] != nil {
		return true, nil
	}
	iat := stamp(t.IssuedAt)
	if cutoff, ok := vals[1].(string); ok && t.Subject != "" && iat <= cutoff {
		return true, nil
	}
	if state, ok := vals[2].(string); ok && t.Family != "" && strings.HasPrefix(state, famRevoked) {
		return true, nil
	}
	for i := 3; i < len(keys); i++ {
		marker, ok := vals[i].(string)
		if !ok { // the marker is gone: this Redis, or this master, lost its data
			if marker, err = s.lossCutoff(ctx, keys[i]); err != nil {
				return false, err
			}
		}
		if marker != noLoss && iat <= marker {
			return true, nil
		}
	}
	return false, nil
}

// read returns the values of keys: one MGET on a single Redis, a pipeline
// of GETs (one round trip per node) on a cluster.
func (s *Store) read(ctx context.Context, keys []string) ([]any, error) {
	if !s.cluster {
		vals, err := s.client.MGet(ctx, keys...).Result()
		if err == nil && len(vals) != len(keys) {
			err = fmt.Errorf("MGET returned %d values for %d keys", len(vals), len(keys))
		}
		return vals, err
	}
	cmds := make([]*redis.StringCmd, len(keys))
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.Get(ctx, k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	vals := make([]any, len(keys))
	for i, c := range cmds {
		v, err := c.Result()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return nil, err
		default:
			vals[i] = v
		}
	}
	return vals, nil
}

// lossCutoff returns the data-loss cutoff of marker, writing one when the
// marker is missing: a Redis that comes back empty has forgotten its
// revocations, so every token issued before the current second is refused.
// Tokens carry whole-second iat values; those issued in the current second,
// after the loss was seen, stay valid.
func (s *Store) lossCutoff(ctx context.Context, marker string) (string, error) {
	return s.loss.Run(ctx, s.client, []string{marker}, s.cutoffNow()).Text()
}

// cutoffNow is the stamp of the end of the previous second.
func (s *Store) cutoffNow() string {
	return stamp(s.cfg.clock.Now().Truncate(time.Second).Add(-time.Nanosecond))
}

// markers returns the data-loss marker keys: one on a single Redis (or with
// a prefix that puts every key in one slot), one per hash slot on a
// cluster, so that a master that loses its data loses the markers of its
// own slots, and checks of keys in those slots see it.
func (s *Store) markers() []string {
	if s.slotTags == nil {
		return []string{s.cfg.prefix + "{epoch}"}
	}
	keys := make([]string, len(s.slotTags))
	for i, tag := range s.slotTags {
		keys[i] = s.cfg.prefix + "{" + tag + "}"
	}
	return keys
}

// withMarkers appends to keys the markers that watch over them: the one
// marker, or on a cluster the marker of each slot the keys are in.
func (s *Store) withMarkers(keys []string) []string {
	if s.slotTags == nil {
		return append(keys, s.cfg.prefix+"{epoch}")
	}
	n := len(keys)
	for _, k := range keys[:n] {
		m := s.cfg.prefix + "{" + s.slotTags[slotOf(k)] + "}"
		if !slices.Contains(keys[n:], m) {
			keys = append(keys, m)
		}
	}
	return keys
}

// markAll writes the markers that are missing, each with a cutoff at now:
// on the first start of the store, or after a loss.
func (s *Store) markAll(ctx context.Context) error {
	cut := s.cutoffNow()
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, m := range s.markers() {
			p.SetNX(ctx, m, cut, 0)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redisstore: writing the data-loss markers: %w", err)
	}
	return nil
}

// ForgiveLoss lifts the data-loss cutoff: tokens issued before Redis last
// lost its data are accepted again (unless revoked since). Call it only
// when no revocation can have been lost, for example after the first
// start of a new Redis that replaced a memory store.
func (s *Store) ForgiveLoss(ctx context.Context) error {
	if !s.cfg.lossCutoff {
		return nil
	}
	return s.call(ctx, "forgive loss", func(ctx context.Context) error {
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, m := range s.markers() {
				p.Set(ctx, m, noLoss, 0)
			}
			return nil
		})
		return err
	})
}

// Revoke records that the token is revoked until it can no longer verify,
// its exp plus [jwtx.MaxLeeway] (a token without exp: for good) and, when
// it belongs to a family, revokes the family for at least the max token
// lifetime, in one atomic script. A token past that time is not stored,
// but still revokes its family. A token without an ID returns an error
// wrapping [jwtx.ErrMissingClaim]; a Redis error is returned wrapped.
func (s *Store) Revoke(ctx context.Context, t jwtx.TokenInfo) error {
	if t.ID == "" {
		return &jwtx.ClaimError{Claim: "jti", Err: jwtx.ErrMissingClaim}
	}
	now := s.cfg.clock.Now()
	var ttl int64 // 0: expired, nothing to store
	switch {
	case t.ExpiresAt.IsZero():
		ttl = noExpiry
	case now.Before(t.ExpiresAt.Add(jwtx.MaxLeeway)):
		ttl = millis(t.ExpiresAt.Add(jwtx.MaxLeeway).Sub(now))
	}
	keys := []string{s.jtiKey(t.ID, t.Family)}
	if t.Family != "" {
		keys = append(keys, s.familyKey(t.Family))
	} else if ttl == 0 {
		return nil
	}
	return s.call(ctx, "revoke", func(ctx context.Context) error {
		return s.revoke.Run(ctx, s.client, keys, ttl, millis(s.cfg.maxAge+jwtx.MaxLeeway)).Err()
	})
}

// RevokeSubject revokes every token of subject issued at or before before.
// The cutoff only ever moves forward, and stays for the max token lifetime
// plus [jwtx.MaxLeeway] (from before, when before is in the future). An
// empty subject returns an error wrapping [jwtx.ErrMissingClaim]; a Redis
// error is returned wrapped.
func (s *Store) RevokeSubject(ctx context.Context, subject string, before time.Time) error {
	if subject == "" {
		return &jwtx.ClaimError{Claim: "sub", Err: jwtx.ErrMissingClaim}
	}
	ttl := s.cfg.maxAge + jwtx.MaxLeeway
	if ahead := before.Sub(s.cfg.clock.Now()); ahead > 0 {
		ttl += ahead
	}
	return s.call(ctx, "revoke subject", func(ctx context.Context) error {
		return s.revokeSubject.Run(ctx, s.client, []string{s.subjectKey(subject)}, stamp(before), millis(ttl)).Err()
	})
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
	var res int
	err = s.call(ctx, "start", func(ctx context.Context) error {
		var err error
		res, err = s.start.Run(ctx, s.client, []string{s.familyKey(first.Family)}, nonce, first.ID, s.familyTTL(first.ExpiresAt)).Int()
		return err
	})
	switch {
	case err != nil:
		return err
	case res != rotated:
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
	var res int
	err = s.call(ctx, "rotate", func(ctx context.Context) error {
		var err error
		res, err = s.rotate.Run(ctx, s.client, []string{s.familyKey(fam)}, nonce, from, to, s.familyTTL(until)).Int()
		return err
	})
	if err != nil {
		return err
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
	return max(millis(until.Add(jwtx.MaxLeeway).Sub(s.cfg.clock.Now())), 1)
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

// noExpiry is the TTL the scripts read as "keep the key for good".
const noExpiry = -1

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
