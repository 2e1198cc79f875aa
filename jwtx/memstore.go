package jwtx

import (
	"container/heap"
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// Default bounds of a MemoryStore.
const (
	// DefaultMemoryStoreSize is the default entry limit of a MemoryStore.
	DefaultMemoryStoreSize = 1 << 20
	// DefaultSubjectLimit is the default number of entries one subject may
	// hold in a MemoryStore; see [WithSubjectLimit].
	DefaultSubjectLimit = 256
)

// expireBatch is how many expired entries a write drops at most, besides
// the room it needs: expiry keeps pace with writes, a little at a time,
// and never holds the lock for a sweep of the whole store.
const expireBatch = 16

// MemoryStore is an in-memory [RevocationStore] and [RotationStore] for a
// single process. It is safe for concurrent use; its state is lost when the
// process stops.
//
// Every entry lives as long as a token it covers can still verify: a
// revoked jti until the token's exp plus [MaxLeeway], a family until its
// last refresh token's exp plus MaxLeeway, and a "log out everywhere"
// cutoff for the longest token lifetime (maxAge) plus MaxLeeway from the
// cutoff. Expired entries are dropped a few at a time as writes come, so
// no check ever waits for a sweep.
//
// Memory is bounded by an entry limit and a per-subject limit
// ([WithSubjectLimit]). Revocations keep room: when the store is full, the
// rotation state of the least recently used live family yields first (its
// next refresh fails and its user logs in again; nothing revoked comes
// back). A subject at its limit gives up its own least recently used live
// family; one whose entries are all revocations has them folded into one
// "log out everywhere" cutoff, which refuses at least what they did. Only
// when every entry is a revocation of another subject does a write fail
// with [ErrStoreFull]. [MemoryStore.Stats] reports the fill level.
type MemoryStore struct {
	mu           sync.RWMutex
	clock        Clock
	limit        int
	subjectLimit int
	maxAge       time.Duration
	ids          map[string]*entry // revoked jti
	families     map[string]*entry
	cutoffs      map[string]*entry // subject -> "log out everywhere" cutoff
	subjects     map[string]*subjectEntries
	expiry       entryHeap // entries that expire, soonest first
	live         list.List // live families, least recently used first
	evicted      uint64    // live families dropped for room
	folded       uint64    // subjects whose revocations were folded into a cutoff
}

// entryKind tells the maps an entry belongs to.
type entryKind uint8

const (
	idEntry entryKind = iota
	familyEntry
	cutoffEntry
)

// entry is one record of a MemoryStore.
type entry struct {
	kind    entryKind
	key     string    // jti, family or subject
	subject string    // the subject it counts against, or ""
	until   time.Time // dropped from then on; zero: kept for good
	issued  time.Time // the latest iat of a token it covers
	index   int       // in the expiry heap, or -1

	// Families only.
	current string // the refresh token that may rotate next
	revoked bool
	lru     *list.Element // in MemoryStore.live while live
	own     *list.Element // in the subject's live list while live

	// Cutoffs only.
	before time.Time
}

// subjectEntries counts a subject's entries and orders its live families.
type subjectEntries struct {
	n    int
	live list.List
}

// A MemoryStoreOption configures a [MemoryStore]. Only this package can
// create them.
type MemoryStoreOption interface {
	applyMemoryStore(*MemoryStore) error
}

type memoryStoreOption func(*MemoryStore) error

func (o memoryStoreOption) applyMemoryStore(s *MemoryStore) error { return o(s) }

// WithMaxEntries bounds the entries the store holds. Default:
// [DefaultMemoryStoreSize].
func WithMaxEntries(n int) MemoryStoreOption {
	return memoryStoreOption(func(s *MemoryStore) error {
		if n <= 0 {
			return fmt.Errorf("%w: memory store limit %d: it must be positive", ErrConfig, n)
		}
		s.limit = n
		return nil
	})
}

// WithMaxTokenLifetime sets the longest lifetime of any token the store may
// be asked about: the refresh-token lifetime ([WithRefreshTTL]). A "log out
// everywhere" cutoff, and a family revoked through a token the store did
// not know, are kept this long plus [MaxLeeway]. A value below the real
// refresh-token lifetime lets revoked tokens back in once their record has
// expired. Default: [DefaultRefreshTTL].
func WithMaxTokenLifetime(d time.Duration) MemoryStoreOption {
	return memoryStoreOption(func(s *MemoryStore) error {
		if d <= 0 {
			return fmt.Errorf("%w: max token lifetime %v: it must be positive", ErrConfig, d)
		}
		s.maxAge = d
		return nil
	})
}

// WithSubjectLimit bounds the entries one subject may hold, so that one
// user looping login, refresh and logout cannot fill the store for
// everybody. At the bound, a new family of the subject replaces the
// subject's least recently used live family, and revocations are folded
// into a cutoff that revokes every token of the subject issued before the
// current second. Default: [DefaultSubjectLimit].
func WithSubjectLimit(n int) MemoryStoreOption {
	return memoryStoreOption(func(s *MemoryStore) error {
		if n < 2 {
			return fmt.Errorf("%w: subject limit %d: it must be at least 2", ErrConfig, n)
		}
		s.subjectLimit = n
		return nil
	})
}

// NewMemoryStore returns an empty MemoryStore. Options set its bounds
// ([WithMaxEntries], [WithSubjectLimit]), the longest token lifetime
// ([WithMaxTokenLifetime]) and its clock ([WithClock]).
func NewMemoryStore(opts ...MemoryStoreOption) (*MemoryStore, error) {
	s := &MemoryStore{
		clock: systemClock{}, limit: DefaultMemoryStoreSize, subjectLimit: DefaultSubjectLimit, maxAge: DefaultRefreshTTL,
		ids: map[string]*entry{}, families: map[string]*entry{}, cutoffs: map[string]*entry{},
		subjects: map[string]*subjectEntries{},
	}
	if err := applyOptions(opts, func(o MemoryStoreOption) error { return o.applyMemoryStore(s) }); err != nil {
		return nil, err
	}
	return s, nil
}

// grace is how long past a token's exp a Verifier may still accept it.
func grace(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(MaxLeeway)
}

// Start records a new family whose first refresh token is first. Starting
// a family that already exists with the same first token does nothing (a
// retry); with another token it fails with [ErrReused].
func (s *MemoryStore) Start(_ context.Context, first TokenInfo) error {
	switch {
	case first.Family == "":
		return &ClaimError{Claim: "fam", Err: ErrMissingClaim}
	case first.ID == "":
		return &ClaimError{Claim: "jti", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now, expireBatch)
	if f, ok := s.families[first.Family]; ok {
		if !f.revoked && f.current == first.ID {
			return nil
		}
		return fmt.Errorf("%w: family already started", ErrReused)
	}
	if err := s.makeRoom(now, first.Subject); err != nil {
		return err
	}
	f := &entry{kind: familyEntry, key: first.Family, subject: first.Subject, until: grace(first.ExpiresAt),
		issued: laterOf(now, first.IssuedAt), current: first.ID}
	s.add(f)
	s.touch(f)
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
	s.expire(now, expireBatch)
	f, ok := s.families[fam]
	switch {
	case !ok:
		return errUnknownFamily
	case f.revoked:
		return ErrRevoked
	case f.current != from:
		s.retire(f, now)
		return ErrReused
	}
	f.current, f.issued = to, now
	if u := grace(until); u.IsZero() || (!f.until.IsZero() && u.After(f.until)) {
		s.setUntil(f, u)
	}
	s.touch(f)
	return nil
}

// Revoke records that the token is revoked until it can no longer verify
// and, when it belongs to a family, revokes the family for as long as any
// of its tokens can. A token without an ID cannot be revoked.
func (s *MemoryStore) Revoke(_ context.Context, t TokenInfo) error {
	if t.ID == "" {
		return &ClaimError{Claim: "jti", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now, expireBatch)
	if t.Family != "" {
		if err := s.revokeFamily(now, t); err != nil {
			return err
		}
	}
	until := grace(t.ExpiresAt)
	if !until.IsZero() && !now.Before(until) {
		return nil
	}
	key := t.ID
	if e, ok := s.ids[key]; ok {
		if !outlives(e.until, until) {
			s.setUntil(e, until)
		}
		if e.subject != t.Subject {
			// Tokens of two subjects share the jti (issuers that choose
			// their own): the entry is no longer one subject's to fold.
			s.disown(e)
		}
		return nil
	}
	if s.coveredByCutoff(t, until) {
		return nil
	}
	err := s.makeRoom(now, t.Subject)
	if s.coveredByCutoff(t, until) { // making room may have folded the subject
		return nil
	}
	if err != nil {
		return err
	}
	s.add(&entry{kind: idEntry, key: key, subject: t.Subject, until: until, issued: t.IssuedAt})
	return nil
}

// revokeFamily marks the family of t revoked. s.mu is held.
func (s *MemoryStore) revokeFamily(now time.Time, t TokenInfo) error {
	if f, ok := s.families[t.Family]; ok {
		s.retire(f, now)
		return nil
	}
	// A family the store does not know: its tokens live at most maxAge.
	if err := s.makeRoom(now, t.Subject); err != nil {
		return err
	}
	if f, ok := s.families[t.Family]; ok { // folded meanwhile: still revoke
		s.retire(f, now)
		return nil
	}
	s.add(&entry{kind: familyEntry, key: t.Family, subject: t.Subject, revoked: true,
		until: now.Add(s.maxAge + MaxLeeway), issued: laterOf(now, t.IssuedAt)})
	return nil
}

// RevokeSubject revokes every token of subject issued at or before before.
// The cutoff only moves forward, and stays until every token it covers has
// expired: maxAge (plus MaxLeeway) past the later of now and before.
func (s *MemoryStore) RevokeSubject(_ context.Context, subject string, before time.Time) error {
	if subject == "" {
		return &ClaimError{Claim: "sub", Err: ErrMissingClaim}
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now, expireBatch)
	if c, ok := s.cutoffs[subject]; ok {
		s.moveCutoff(c, now, before)
		return nil
	}
	if err := s.makeRoom(now, subject); err != nil {
		return err
	}
	if c, ok := s.cutoffs[subject]; ok { // folding made one
		s.moveCutoff(c, now, before)
		return nil
	}
	c := &entry{kind: cutoffEntry, key: subject, subject: subject, issued: before}
	s.add(c)
	s.moveCutoff(c, now, before)
	return nil
}

// moveCutoff moves c to before when that is later, and keeps it until
// tokens issued by then have expired. s.mu is held.
func (s *MemoryStore) moveCutoff(c *entry, now, before time.Time) {
	if before.After(c.before) || c.before.IsZero() {
		c.before, c.issued = before, before
	}
	until := laterOf(now, c.before).Add(s.maxAge + MaxLeeway)
	if until.After(c.until) {
		s.setUntil(c, until)
	}
}

// Revoked reports whether the token's ID was revoked, its family was
// revoked, or its subject was revoked at or after the token was issued.
// Entries past their time are ignored whether or not they were dropped yet.
func (s *MemoryStore) Revoked(_ context.Context, t TokenInfo) (bool, error) {
	now := s.clock.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	if e, ok := s.ids[t.ID]; ok && t.ID != "" && e.alive(now) {
		return true, nil
	}
	if f, ok := s.families[t.Family]; ok && t.Family != "" && f.revoked && f.alive(now) {
		return true, nil
	}
	if c, ok := s.cutoffs[t.Subject]; ok && c.alive(now) && !t.IssuedAt.After(c.before) {
		return true, nil
	}
	return false, nil
}

// coveredByCutoff reports whether the subject's cutoff already refuses t,
// for as long as t's record would (until; zero: for good). s.mu is held.
func (s *MemoryStore) coveredByCutoff(t TokenInfo, until time.Time) bool {
	c, ok := s.cutoffs[t.Subject]
	return ok && !t.IssuedAt.After(c.before) && outlives(c.until, until)
}

// outlives reports whether a record kept until a lives at least as long as
// one kept until b (a zero time: for good).
func outlives(a, b time.Time) bool {
	return a.IsZero() || (!b.IsZero() && !a.Before(b))
}

// disown takes e off its subject's count, so that no subject's fold drops
// it. s.mu is held.
func (s *MemoryStore) disown(e *entry) {
	if se := s.subjects[e.subject]; se != nil {
		if se.n--; se.n == 0 {
			delete(s.subjects, e.subject)
		}
	}
	e.subject = ""
}

// MemoryStoreStats is a snapshot of a MemoryStore's fill level.
type MemoryStoreStats struct {
	Entries      int    // entries held, expired ones not yet dropped included
	Limit        int    // the entry limit
	RevokedIDs   int    // revoked token IDs
	Families     int    // families, live and revoked
	LiveFamilies int    // families that may still rotate
	Cutoffs      int    // "log out everywhere" cutoffs
	Evicted      uint64 // live families dropped to make room, since the start
	Folded       uint64 // times a subject's revocations were folded into a cutoff
}

// Stats returns the store's fill level, for metrics and alerts: a store
// near its limit evicts the rotation state of idle sessions.
func (s *MemoryStore) Stats() MemoryStoreStats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return MemoryStoreStats{
		Entries: s.size(), Limit: s.limit,
		RevokedIDs: len(s.ids), Families: len(s.families), LiveFamilies: s.live.Len(), Cutoffs: len(s.cutoffs),
		Evicted: s.evicted, Folded: s.folded,
	}
}

func (s *MemoryStore) size() int { return len(s.ids) + len(s.cutoffs) + len(s.families) }

// alive reports whether e still matters at now.
func (e *entry) alive(now time.Time) bool { return e.until.IsZero() || now.Before(e.until) }

// makeRoom makes room for one more entry of subject, or fails with
// ErrStoreFull: the subject's own least recently used live family yields
// first, then its revocations are folded, then, when the whole store is
// full, expired entries go and then any least recently used live family.
// s.mu is held.
func (s *MemoryStore) makeRoom(now time.Time, subject string) error {
	if se := s.subjects[subject]; subject != "" && se != nil && se.n >= s.subjectLimit {
		if se.live.Len() > 0 {
			s.evict(se.live.Front().Value.(*entry))
		} else {
			s.fold(now, subject)
		}
		if se.n >= s.subjectLimit {
			return fmt.Errorf("%w: subject at its limit of %d entries", ErrStoreFull, s.subjectLimit)
		}
	}
	if s.size() < s.limit {
		return nil
	}
	if s.expire(now, 1) == 1 {
		return nil
	}
	if s.live.Len() > 0 {
		s.evict(s.live.Front().Value.(*entry))
		return nil
	}
	return ErrStoreFull
}

// fold replaces the entries of subject that cover only tokens issued
// before the current second, and need not outlive the cutoff, with one
// cutoff that covers them all. Tokens
// carry whole-second iat values, so a cutoff inside the current second
// would also refuse tokens issued after it. s.mu is held.
func (s *MemoryStore) fold(now time.Time, subject string) {
	before := now.Truncate(time.Second).Add(-time.Nanosecond)
	// The cutoff lives this long; an entry that must live longer (a token
	// without exp, or beyond maxAge) is kept.
	lives := laterOf(now, before).Add(s.maxAge + MaxLeeway)
	var drop []*entry
	for _, m := range []map[string]*entry{s.ids, s.families} {
		for _, e := range m {
			if e.subject == subject && !e.issued.After(before) && !e.until.IsZero() && !e.until.After(lives) {
				drop = append(drop, e)
			}
		}
	}
	if len(drop) == 0 {
		return
	}
	for _, e := range drop {
		s.remove(e)
	}
	s.folded++
	c, ok := s.cutoffs[subject]
	if !ok {
		c = &entry{kind: cutoffEntry, key: subject, subject: subject}
		s.add(c)
	}
	s.moveCutoff(c, now, before)
}

// evict drops a live family to make room: its next Rotate finds no family
// and fails closed. s.mu is held.
func (s *MemoryStore) evict(f *entry) {
	s.remove(f)
	s.evicted++
}

// retire marks a family revoked; it no longer counts as live. Its tokens
// were all issued by now, so folding may replace it by a cutoff from the
// next second on. s.mu is held.
func (s *MemoryStore) retire(f *entry, now time.Time) {
	f.revoked = true
	f.issued = laterOf(f.issued, now)
	s.unlink(f)
}

// touch marks a live family as just used. s.mu is held.
func (s *MemoryStore) touch(f *entry) {
	if f.lru == nil {
		f.lru = s.live.PushBack(f)
		if se := s.subjects[f.subject]; se != nil {
			f.own = se.live.PushBack(f)
		}
		return
	}
	s.live.MoveToBack(f.lru)
	if f.own != nil {
		s.subjects[f.subject].live.MoveToBack(f.own)
	}
}

// unlink takes a family out of the live lists. s.mu is held.
func (s *MemoryStore) unlink(f *entry) {
	if f.lru != nil {
		s.live.Remove(f.lru)
		f.lru = nil
	}
	if f.own != nil {
		s.subjects[f.subject].live.Remove(f.own)
		f.own = nil
	}
}

// add stores e. s.mu is held.
func (s *MemoryStore) add(e *entry) {
	s.mapOf(e.kind)[e.key] = e
	e.index = -1
	if !e.until.IsZero() {
		heap.Push(&s.expiry, e)
	}
	if e.subject != "" {
		se := s.subjects[e.subject]
		if se == nil {
			se = &subjectEntries{}
			s.subjects[e.subject] = se
		}
		se.n++
	}
}

// remove drops e. s.mu is held.
func (s *MemoryStore) remove(e *entry) {
	s.unlink(e)
	delete(s.mapOf(e.kind), e.key)
	if e.index >= 0 {
		heap.Remove(&s.expiry, e.index)
	}
	if se := s.subjects[e.subject]; se != nil {
		if se.n--; se.n == 0 {
			delete(s.subjects, e.subject)
		}
	}
}

// setUntil changes when e expires. s.mu is held.
func (s *MemoryStore) setUntil(e *entry, until time.Time) {
	e.until = until
	switch {
	case until.IsZero() && e.index >= 0:
		heap.Remove(&s.expiry, e.index)
	case until.IsZero():
	case e.index >= 0:
		heap.Fix(&s.expiry, e.index)
	default:
		heap.Push(&s.expiry, e)
	}
}

// expire drops at most n entries whose time has passed, soonest first, and
// returns how many it dropped. s.mu is held.
func (s *MemoryStore) expire(now time.Time, n int) int {
	dropped := 0
	for dropped < n && len(s.expiry) > 0 && !now.Before(s.expiry[0].until) {
		s.remove(s.expiry[0])
		dropped++
	}
	return dropped
}

func (s *MemoryStore) mapOf(k entryKind) map[string]*entry {
	switch k {
	case idEntry:
		return s.ids
	case familyEntry:
		return s.families
	}
	return s.cutoffs
}

// laterOf returns the later of a and b.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// entryHeap orders entries by expiry, soonest first (container/heap).
type entryHeap []*entry

func (h entryHeap) Len() int           { return len(h) }
func (h entryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h entryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *entryHeap) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *entryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
