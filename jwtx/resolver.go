package jwtx

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Defaults of an IssuerResolver.
const (
	DefaultMaxIssuers   = 100
	DefaultResolveRetry = 30 * time.Second
	// maxResolving bounds the resolutions in progress at once.
	maxResolving = 16
)

// ResolveFunc tells an [IssuerResolver] whether iss is an issuer to trust
// and with what: its keys, audiences and algorithms. It is called with the
// iss of a token whose signature has not been checked, so:
//
//   - it must refuse an issuer it does not already know, by returning an
//     error wrapping [ErrIssuer], quickly and without the network: from a
//     list or a table of tenants, never by fetching metadata for whatever
//     iss a token names (every forged token would cost a fetch);
//   - its answer must depend on iss alone, since it is kept per iss for
//     every request: bind a tenant's requests to the tenant's issuer in a
//     check of your own (WithCheck, or in the handler);
//   - ctx lives as long as the issuer stays in the resolver: build key
//     sets with it (DiscoverKeySet(ctx, iss, ...)), so that their
//     background refreshes stop when the issuer is evicted. It carries no
//     value of any request.
//
// The TrustedIssuer returned must have Issuer equal to iss.
type ResolveFunc func(ctx context.Context, iss string) (TrustedIssuer, error)

// A ResolverOption configures an [IssuerResolver]. Only this package can
// create them; [WithClock] is one.
type ResolverOption interface {
	applyResolver(*resolverConfig) error
}

type resolverConfig struct {
	max   int
	retry time.Duration
	clock Clock
}

type resolverOption func(*resolverConfig) error

func (o resolverOption) applyResolver(c *resolverConfig) error { return o(c) }

// WithMaxIssuers bounds the issuers an IssuerResolver keeps; the least
// recently used goes first, and its key set's context ends. Default:
// [DefaultMaxIssuers].
func WithMaxIssuers(n int) ResolverOption {
	return resolverOption(func(c *resolverConfig) error {
		if n < 1 {
			return fmt.Errorf("%w: max issuers %d", ErrConfig, n)
		}
		c.max = n
		return nil
	})
}

// WithResolveRetry sets how long a failed resolution of an issuer the
// ResolveFunc accepted (its keys could not be fetched, say) is remembered,
// so that tokens of that issuer do not each cause a fetch while its
// provider is down. Refusals (ErrIssuer) are never remembered. Default:
// [DefaultResolveRetry].
func WithResolveRetry(d time.Duration) ResolverOption {
	return resolverOption(func(c *resolverConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: resolve retry %v", ErrConfig, d)
		}
		c.retry = d
		return nil
	})
}

// IssuerResolver is a [VerificationKeys] whose trusted issuers are
// resolved when their first token arrives, by a [ResolveFunc] of the
// application (tenant → issuer), and kept in a bounded LRU cache: the
// dynamic form of [IssuerSet], for services with many tenants, each with
// an identity provider of its own.
//
// As with an IssuerSet, the Verifier reads iss before any key is touched
// and verifies with the keys of that issuer only. The resolver never
// fetches anything itself, and never on the word of a token: only the
// ResolveFunc decides which issuers exist, and it is asked about each iss
// at most once at a time (concurrent tokens of one issuer wait for the
// same call, each until its own context is done).
//
// What is kept, and why attackers cannot fill it:
//
//   - accepted issuers, at most [WithMaxIssuers], least recently used out
//     first; only issuers the ResolveFunc accepts enter;
//   - refusals are not kept: a token can name any of endless issuers, so
//     remembering them would let forged tokens evict real tenants, while
//     asking again costs a refusal that the ResolveFunc makes cheaply;
//   - failures of an accepted issuer (keys unreachable) are kept for
//     [WithResolveRetry], so that a provider that is down is not asked for
//     every token; its tokens fail with [ErrJWKS] meanwhile (httpx answers
//     503). At most 16 resolutions run at once; more fail with ErrJWKS.
//
// An IssuerResolver is safe for concurrent use. Close it, or cancel the
// context it was built with, to end the contexts of every issuer.
type IssuerResolver struct {
	resolve ResolveFunc
	cfg     resolverConfig
	base    context.Context
	stop    context.CancelFunc

	mu      sync.Mutex
	entries map[string]*list.Element // of *resolved, trusted or failed
	lru     *list.List               // most recently used first
	pending map[string]*resolved     // being resolved; not in the LRU, so that they evict nothing
}

// resolved is one issuer: being resolved (done open, in pending), or in
// the cache, trusted (t set) or failed until a time.
type resolved struct {
	iss    string
	done   chan struct{}
	cancel context.CancelFunc
	t      *TrustedIssuer
	err    error
	until  time.Time
}

// NewIssuerResolver returns an empty resolver that asks resolve about
// each new iss. Each issuer's context derives from ctx.
func NewIssuerResolver(ctx context.Context, resolve ResolveFunc, opts ...ResolverOption) (*IssuerResolver, error) {
	if resolve == nil {
		return nil, fmt.Errorf("%w: nil ResolveFunc", ErrConfig)
	}
	r := &IssuerResolver{
		resolve: resolve,
		cfg:     resolverConfig{max: DefaultMaxIssuers, retry: DefaultResolveRetry, clock: systemClock{}},
		entries: make(map[string]*list.Element),
		lru:     list.New(),
		pending: make(map[string]*resolved),
	}
	if err := applyOptions(opts, func(o ResolverOption) error { return o.applyResolver(&r.cfg) }); err != nil {
		return nil, err
	}
	r.base, r.stop = context.WithCancel(context.WithoutCancel(ctx))
	context.AfterFunc(ctx, r.stop)
	return r, nil
}

// Close ends the context of every issuer (stopping the background
// refreshes of key sets built with it) and empties the resolver. Tokens
// verified afterwards resolve their issuers anew, with contexts that have
// already ended.
func (r *IssuerResolver) Close() {
	r.stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.lru.Len() > 0 {
		r.removeLocked(r.lru.Back())
	}
	for _, e := range r.pending {
		e.cancel()
	}
}

// Len returns the number of issuers kept, failed ones included (those
// being resolved are not).
func (r *IssuerResolver) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lru.Len()
}

func (r *IssuerResolver) trusted(ctx context.Context, iss string) (*TrustedIssuer, error) {
	if iss == "" {
		return nil, errUnknownIssuer(iss)
	}
	e, err := r.entry(iss)
	if err != nil {
		return nil, err
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: gave up waiting for issuer %q to be resolved (it goes on): %w", ErrJWKS, truncate(iss), ctx.Err())
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.t, nil
}

// entry returns the cache entry of iss, starting its resolution if there
// is none, or none that may be used.
func (r *IssuerResolver) entry(iss string) (*resolved, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.entries[iss]; ok {
		e := el.Value.(*resolved)
		if e.err == nil || r.cfg.clock.Now().Before(e.until) {
			r.lru.MoveToFront(el)
			return e, nil
		}
		r.removeLocked(el) // a failure whose time is up: try again
	}
	if e, ok := r.pending[iss]; ok {
		return e, nil
	}
	if len(r.pending) >= maxResolving {
		return nil, fmt.Errorf("%w: %d issuers are being resolved already; retry later", ErrJWKS, maxResolving)
	}
	ctx, cancel := context.WithCancel(r.base)
	e := &resolved{iss: iss, done: make(chan struct{}), cancel: cancel}
	r.pending[iss] = e
	go r.run(ctx, e)
	return e, nil
}

// run resolves e, then keeps it (trusted, or failed until the retry time),
// evicting the least recently used issuers beyond the bound, or, for a
// refusal, drops it: a refused iss never takes a place of the cache.
func (r *IssuerResolver) run(ctx context.Context, e *resolved) {
	t, err := r.resolve(ctx, e.iss)
	if err == nil {
		t = t.clone()
		err = t.validate()
		if err == nil && t.Issuer != e.iss {
			err = fmt.Errorf("%w: the ResolveFunc answered issuer %q for %q", ErrConfig, truncate(t.Issuer), truncate(e.iss))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	defer close(e.done)
	delete(r.pending, e.iss)
	switch {
	case errors.Is(err, ErrIssuer) && !errors.Is(err, ErrJWKS):
		// Refused by the function: not remembered, so that forged issuers
		// cannot take places. A discovery that found another issuer in the
		// metadata (ErrJWKS too) is a failure of an accepted issuer, kept
		// for the retry time like any other.
		e.err = errUnknownIssuer(e.iss)
		e.cancel()
		return
	case err != nil:
		e.err = fmt.Errorf("%w: issuer %q could not be resolved (retried after %v): %w", ErrJWKS, truncate(e.iss), r.cfg.retry, err)
		e.until = r.cfg.clock.Now().Add(r.cfg.retry)
		e.cancel()
	default:
		e.t = &t
	}
	if r.base.Err() != nil { // closed meanwhile: answer the waiters, keep nothing
		return
	}
	r.entries[e.iss] = r.lru.PushFront(e)
	for r.lru.Len() > r.cfg.max {
		r.removeLocked(r.lru.Back())
	}
}

// removeLocked drops an entry and ends its context. r.mu must be held.
func (r *IssuerResolver) removeLocked(el *list.Element) {
	e := r.lru.Remove(el).(*resolved)
	delete(r.entries, e.iss)
	e.cancel()
}

func (r *IssuerResolver) verificationKey(context.Context, []byte, bool, []byte) (*Key, error) {
	return nil, fmt.Errorf("%w: an IssuerResolver chooses keys by issuer", ErrKeyNotFound)
}

func (r *IssuerResolver) algorithms() []Algorithm { return nil }

func (r *IssuerResolver) usable() error {
	if r == nil || r.resolve == nil {
		return fmt.Errorf("%w: nil or zero IssuerResolver; build it with NewIssuerResolver", ErrKey)
	}
	return nil
}
