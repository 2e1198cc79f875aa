package jwtx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// Defaults of a RemoteKeySet.
const (
	DefaultJWKSRefreshInterval    = 15 * time.Minute
	DefaultJWKSMinRefreshInterval = 30 * time.Second
	DefaultJWKSTimeout            = 10 * time.Second
	DefaultJWKSMaxSize            = 1 << 20
)

// A RemoteOption configures a [RemoteKeySet]. Only this package can create
// them.
type RemoteOption interface {
	applyRemote(*remoteConfig) error
}

type remoteConfig struct {
	client     *http.Client
	interval   time.Duration
	minRefresh time.Duration
	timeout    time.Duration
	maxSize    int64
	allowHTTP  bool
	algorithms []Algorithm
	onError    func(error)
	clock      Clock
	maxStale   time.Duration
}

type remoteOption func(*remoteConfig) error

func (o remoteOption) applyRemote(c *remoteConfig) error { return o(c) }

// WithJWKSHTTPClient sets the HTTP client used for fetches. The RemoteKeySet
// uses a copy with its own timeout and redirect policy, and reads no more
// than the size limit. Default: a client with http.DefaultTransport.
func WithJWKSHTTPClient(c *http.Client) RemoteOption {
	return remoteOption(func(cfg *remoteConfig) error {
		if c == nil {
			return fmt.Errorf("%w: nil HTTP client", ErrConfig)
		}
		cfg.client = c
		return nil
	})
}

// WithJWKSRefreshInterval sets the time from the end of one background
// fetch of the set to the start of the next. Default:
// [DefaultJWKSRefreshInterval].
func WithJWKSRefreshInterval(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d < time.Second {
			return fmt.Errorf("%w: JWKS refresh interval %v below 1s", ErrConfig, d)
		}
		c.interval = d
		return nil
	})
}

// WithJWKSMinRefreshInterval sets the least time from the end of a fetch,
// failed or not, to a fetch caused by a token naming an unknown kid, so
// that a flood of random kids cannot turn into a flood of fetches, even
// when the endpoint is slower than d. Default:
// [DefaultJWKSMinRefreshInterval].
func WithJWKSMinRefreshInterval(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: JWKS minimum refresh interval %v", ErrConfig, d)
		}
		c.minRefresh = d
		return nil
	})
}

// WithJWKSTimeout bounds one fetch in time. A fetch runs apart from the
// callers that wait for it, each of which waits only until its own context
// is done. Default: [DefaultJWKSTimeout].
func WithJWKSTimeout(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: JWKS timeout %v", ErrConfig, d)
		}
		c.timeout = d
		return nil
	})
}

// WithJWKSMaxSize bounds one JWKS document in bytes. Default:
// [DefaultJWKSMaxSize] (1 MiB).
func WithJWKSMaxSize(n int64) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if n <= 0 {
			return fmt.Errorf("%w: JWKS size limit %d", ErrConfig, n)
		}
		c.maxSize = n
		return nil
	})
}

// WithJWKSAllowHTTP allows a plain http:// JWKS URL, for tests and loopback
// services. Over plain HTTP anyone on the path can substitute the keys.
// Default: false (https only).
func WithJWKSAllowHTTP(allow bool) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		c.allowHTTP = allow
		return nil
	})
}

// WithJWKSAlgorithms lists the algorithms keys of the set may be used with.
// A key whose JWK names an algorithm outside the list is dropped; a key
// that names none is bound to the one listed algorithm its type allows
// (EC and Ed25519 keys to the one their curve allows), and dropped when
// that is ambiguous. Default: none listed, so keys must name their
// algorithm, except EC and Ed25519 keys.
func WithJWKSAlgorithms(algs ...Algorithm) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if len(algs) == 0 {
			return fmt.Errorf("%w: no algorithms given", ErrConfig)
		}
		c.algorithms = append([]Algorithm(nil), algs...)
		return nil
	})
}

// WithJWKSErrorHandler sets a function told of every failed fetch and every
// key dropped from a fetched set, for logs and health checks. See also
// [RemoteKeySet.Health]. Default: none.
func WithJWKSErrorHandler(f func(error)) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil error handler", ErrConfig)
		}
		c.onError = f
		return nil
	})
}

// WithJWKSMaxStale bounds how long the keys of the last successful fetch
// stay in use while fetches fail: past d, every token is refused with
// [ErrJWKS] (fail closed; httpx answers 503) until a fetch succeeds. 0
// keeps the last good keys however old. Default: 0.
func WithJWKSMaxStale(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: JWKS max staleness %v", ErrConfig, d)
		}
		c.maxStale = d
		return nil
	})
}

// RemoteKeySet is a [VerificationKeys] whose keys come from a JWKS URL,
// such as an identity provider's jwks_uri or a [KeyRing] published with
// httpx.JWKSHandler. The set is fetched at start, again in the background
// a refresh interval after each background fetch ends, and when a token
// names a kid it does not know.
//
// One fetch runs at a time: the background refresh, [RemoteKeySet.Refresh]
// and tokens with unknown kids wait for the fetch in progress rather than
// start another. The fetch runs with its own timeout, apart from its
// callers, so one that gives up does not cut it short for the others. A
// token with an unknown kid starts a fetch only when none has ended within
// the minimum refresh interval (the fetch at start aside, so that a
// rotation right after start is seen), whether that fetch succeeded or
// failed. Its verification waits for the fetch until its own context is
// done, and then fails with an error wrapping [ErrKeyNotFound] and the
// context's error. Like any unknown kid it is not [ErrJWKS]: httpx answers
// it as it answers a bad signature, and does not tell clients that the
// endpoint is slow.
//
// When the endpoint is down, slow, too large or returns garbage, the keys
// fetched before stay in use and the failure is reported to the error
// handler and by [RemoteKeySet.Health]. Keys that cannot verify JWS
// signatures (use "enc", key_ops without "verify", symmetric "oct" keys,
// keys with private members) are dropped. The algorithm of each key comes
// from the set and the configured algorithms, never from a token.
//
// A RemoteKeySet is safe for concurrent use; verification reads the current
// keys without locking.
type RemoteKeySet struct {
	cfg    remoteConfig
	url    string
	client *http.Client
	base   context.Context // of every fetch: NewRemoteKeySet's values, never cancelled
	stop   context.CancelFunc
	done   chan struct{} // closed when the background refreshes have stopped
	keys   atomic.Pointer[KeySet]

	fetchMu sync.Mutex
	flight  *flight   // the fetch in progress, or nil
	started uint64    // fetches started since the one at start
	lastEnd time.Time // when the last of them ended, by cfg.clock

	healthMu sync.Mutex
	lastErr  error
	lastOK   time.Time
}

// A flight is one fetch of the set, which any number of callers wait for.
type flight struct {
	seq    uint64 // 1 for the first fetch after the one at start, and so on
	cancel context.CancelFunc
	done   chan struct{} // closed when the fetch has ended
	err    error         // the fetch's failure, wrapping ErrJWKS; set before done is closed
}

// NewRemoteKeySet fetches the JWK Set at rawURL and keeps it fresh until ctx
// is done or Close is called. It fails when the first fetch does: a
// verifier without keys refuses everything.
func NewRemoteKeySet(ctx context.Context, rawURL string, opts ...RemoteOption) (*RemoteKeySet, error) {
	r := &RemoteKeySet{cfg: defaultRemoteConfig()}
	if err := applyOptions(opts, func(o RemoteOption) error { return o.applyRemote(&r.cfg) }); err != nil {
		return nil, err
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && r.cfg.allowHTTP)) {
		return nil, fmt.Errorf("%w: JWKS URL must be https (http only with WithJWKSAllowHTTP)", ErrConfig)
	}
	r.url, r.client, r.base = rawURL, r.cfg.httpClient(u), context.WithoutCancel(ctx)
	fetchCtx, cancel := context.WithTimeout(ctx, r.cfg.timeout)
	defer cancel()
	if err := r.fetch(fetchCtx); err != nil {
		return nil, err // nothing runs in the background for a set nobody holds
	}
	loopCtx, stop := context.WithCancel(ctx)
	r.stop, r.done = stop, make(chan struct{})
	go r.refreshEvery(loopCtx)
	return r, nil
}

func defaultRemoteConfig() remoteConfig {
	return remoteConfig{
		interval:   DefaultJWKSRefreshInterval,
		minRefresh: DefaultJWKSMinRefreshInterval,
		timeout:    DefaultJWKSTimeout,
		maxSize:    DefaultJWKSMaxSize,
		clock:      systemClock{},
	}
}

// httpClient returns a copy of the configured client with a timeout and
// no redirect to another origin.
func (cfg *remoteConfig) httpClient(origin *url.URL) *http.Client {
	c := http.Client{}
	if cfg.client != nil {
		c = *cfg.client
	}
	c.Timeout = cfg.timeout
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host || len(via) > 3 {
			return fmt.Errorf("%w: redirect away from %s refused", ErrJWKS, origin.Host)
		}
		return nil
	}
	return &c
}

// accept converts a fetched set into the keys in use, dropping the keys
// that cannot verify signatures. A set with no usable key is refused.
func (r *RemoteKeySet) accept(set jose.JWKSet) error {
	var keys []*Key
	for _, j := range jose.Keys(set) {
		k, err := r.bind(j)
		if err != nil {
			r.report(fmt.Errorf("%w: key %q dropped: %w", ErrJWKS, truncate(j.KeyID()), err))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: no usable key in the set", ErrJWKS)
	}
	ks, err := NewKeySet(keys...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	r.keys.Store(ks)
	r.healthMu.Lock()
	r.lastErr, r.lastOK = nil, r.cfg.clock.Now()
	r.healthMu.Unlock()
	return nil
}

// bind builds a verification key from one JWK of the set.
func (r *RemoteKeySet) bind(j jose.JWK) (*Key, error) {
	if jose.HasPrivate(j) {
		return nil, errors.New("private or symmetric key material in a public key set")
	}
	if ops := j.KeyOps(); len(ops) > 0 && !slices.Contains(ops, "verify") {
		return nil, errors.New("key_ops without \"verify\"")
	}
	alg := ""
	if a := j.Algorithm(); a != nil {
		alg = a.String()
	}
	if alg == "" && len(r.cfg.algorithms) > 0 {
		var fits []Algorithm
		for _, a := range r.cfg.algorithms {
			if _, _, err := jose.FromJWK(j, string(a)); err == nil {
				fits = append(fits, a)
			}
		}
		if len(fits) != 1 {
			return nil, fmt.Errorf("no algorithm and %d configured ones fit", len(fits))
		}
		alg = string(fits[0])
	}
	k, err := keyFromJWK(j, Algorithm(alg))
	if err != nil {
		return nil, err
	}
	if len(r.cfg.algorithms) > 0 && !slices.Contains(r.cfg.algorithms, k.alg) {
		return nil, fmt.Errorf("algorithm %s is not allowed", k.alg)
	}
	return k, nil
}

// fetch fetches the set once and, if it is good, puts its keys in use.
// The error wraps ErrJWKS.
func (r *RemoteKeySet) fetch(ctx context.Context) error {
	set, err := jose.FetchSet(ctx, r.client, r.url, r.cfg.maxSize)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	return r.accept(set)
}

// flightLocked returns the fetch in progress, starting one if there is
// none. r.fetchMu must be held.
func (r *RemoteKeySet) flightLocked() *flight {
	if r.flight == nil {
		r.started++
		ctx, cancel := context.WithTimeout(r.base, r.cfg.timeout)
		r.flight = &flight{seq: r.started, cancel: cancel, done: make(chan struct{})}
		go r.run(ctx, r.flight)
	}
	return r.flight
}

// run fetches for f, reports a failure, stamps the end and wakes the
// waiters, in that order: a waiter that wakes sees Health and the error
// handler told.
func (r *RemoteKeySet) run(ctx context.Context, f *flight) {
	err := r.fetch(ctx)
	f.cancel()
	if err != nil {
		r.report(err)
	}
	r.fetchMu.Lock()
	r.flight, r.lastEnd, f.err = nil, r.cfg.clock.Now(), err
	r.fetchMu.Unlock()
	close(f.done)
}

// refreshEvery fetches the set a refresh interval after each background
// fetch ends, until ctx is done; then it cancels the fetch in progress and
// closes r.done.
func (r *RemoteKeySet) refreshEvery(ctx context.Context) {
	defer close(r.done)
	t := time.NewTimer(r.cfg.interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			r.fetchMu.Lock()
			if r.flight != nil {
				r.flight.cancel()
			}
			r.fetchMu.Unlock()
			return
		}
		r.fetchMu.Lock()
		f := r.flightLocked()
		r.fetchMu.Unlock()
		select {
		case <-f.done:
			t.Reset(r.cfg.interval)
		case <-ctx.Done():
			f.cancel()
			return
		}
	}
}

func (r *RemoteKeySet) report(err error) {
	r.healthMu.Lock()
	r.lastErr = err
	r.healthMu.Unlock()
	if r.cfg.onError != nil {
		r.cfg.onError(err)
	}
}

// Health returns nil when the last fetch succeeded, else its error (wrapping
// [ErrJWKS]) and the time of the last success, to tell how stale the keys
// in use are.
func (r *RemoteKeySet) Health() (lastSuccess time.Time, err error) {
	r.healthMu.Lock()
	defer r.healthMu.Unlock()
	return r.lastOK, r.lastErr
}

// Refresh fetches the set now, whatever the minimum refresh interval, and
// returns the fetch's error, which wraps [ErrJWKS]. A fetch already in
// progress may have started before the keys changed, so Refresh waits for
// it and then for one that starts after the call. Refresh waits until ctx
// is done at most, and then returns an error wrapping [ErrJWKS] and ctx's
// error; the fetch goes on, and [RemoteKeySet.Health] tells its result.
func (r *RemoteKeySet) Refresh(ctx context.Context) error {
	r.fetchMu.Lock()
	called := r.started
	r.fetchMu.Unlock()
	for {
		r.fetchMu.Lock()
		f := r.flightLocked()
		r.fetchMu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return fmt.Errorf("%w: gave up waiting for the fetch, which goes on (see Health): %w", ErrJWKS, ctx.Err())
		}
		if f.seq > called {
			return f.err
		}
	}
}

// Close stops the background refreshes and cancels a fetch in progress.
// The keys fetched so far stay in use, and a token with an unknown kid can
// still cause a fetch. Cancelling the context given to NewRemoteKeySet does
// the same, except that Close returns only once the background refreshes
// have stopped.
func (r *RemoteKeySet) Close() {
	r.stop()
	<-r.done
}

// Keys returns the keys in use now.
func (r *RemoteKeySet) Keys() *KeySet { return r.keys.Load() }

func (r *RemoteKeySet) verificationKey(ctx context.Context, kid []byte, hasKID bool, alg []byte) (*Key, error) {
	if r.cfg.maxStale > 0 {
		r.healthMu.Lock()
		lastOK := r.lastOK
		r.healthMu.Unlock()
		if r.cfg.clock.Now().Sub(lastOK) > r.cfg.maxStale {
			return nil, fmt.Errorf("%w: keys older than %v", ErrJWKS, r.cfg.maxStale)
		}
	}
	k, err := r.keys.Load().verificationKey(ctx, kid, hasKID, alg)
	if !errors.Is(err, ErrKeyNotFound) || !hasKID {
		return k, err
	}
	if werr := r.awaitFetchForUnknownKID(ctx); werr != nil {
		return nil, fmt.Errorf("%w: kid not in the keys in use, and the JWKS fetch that could bring it outlasted the request (it goes on; retry later): %w", ErrKeyNotFound, werr)
	}
	// Whether this caller's fetch, another's or none: the keys may have
	// changed since the first look.
	return r.keys.Load().verificationKey(ctx, kid, hasKID, alg)
}

// awaitFetchForUnknownKID waits for the fetch in progress, or for a new one
// if none has ended within the minimum refresh interval, until ctx is done;
// then it returns ctx's error.
func (r *RemoteKeySet) awaitFetchForUnknownKID(ctx context.Context) error {
	r.fetchMu.Lock()
	f := r.flight
	if f == nil && (r.started == 0 || r.cfg.clock.Now().Sub(r.lastEnd) >= r.cfg.minRefresh) {
		f = r.flightLocked()
	}
	r.fetchMu.Unlock()
	if f == nil {
		return nil
	}
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *RemoteKeySet) algorithms() []Algorithm { return nil }

func (r *RemoteKeySet) usable() error {
	if r == nil || r.keys.Load() == nil {
		return fmt.Errorf("%w: nil or zero RemoteKeySet; build it with NewRemoteKeySet", ErrKey)
	}
	return nil
}
