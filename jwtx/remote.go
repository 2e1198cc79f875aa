package jwtx

import (
	"context"
	"errors"
	"fmt"
	"io"
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
// uses a copy with its own timeout, size limit and redirect policy.
// Default: a client with http.DefaultTransport.
func WithJWKSHTTPClient(c *http.Client) RemoteOption {
	return remoteOption(func(cfg *remoteConfig) error {
		if c == nil {
			return fmt.Errorf("%w: nil HTTP client", ErrConfig)
		}
		cfg.client = c
		return nil
	})
}

// WithJWKSRefreshInterval sets how often the set is fetched in the
// background. Default: [DefaultJWKSRefreshInterval].
func WithJWKSRefreshInterval(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d < time.Second {
			return fmt.Errorf("%w: JWKS refresh interval %v below 1s", ErrConfig, d)
		}
		c.interval = d
		return nil
	})
}

// WithJWKSMinRefreshInterval sets the least time between two fetches caused
// by tokens naming an unknown kid, so that a flood of random kids cannot
// turn into a flood of fetches. Default: [DefaultJWKSMinRefreshInterval].
func WithJWKSMinRefreshInterval(d time.Duration) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: JWKS minimum refresh interval %v", ErrConfig, d)
		}
		c.minRefresh = d
		return nil
	})
}

// WithJWKSTimeout bounds one fetch in time. Default: [DefaultJWKSTimeout].
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

// WithJWKSClock sets the clock of the refresh rate limit and of the
// staleness bound. Default: the system clock.
func WithJWKSClock(clock Clock) RemoteOption {
	return remoteOption(func(c *remoteConfig) error {
		if clock == nil {
			return fmt.Errorf("%w: nil clock", ErrConfig)
		}
		c.clock = clock
		return nil
	})
}

// RemoteKeySet is a [VerificationKeys] whose keys come from a JWKS URL,
// such as an identity provider's jwks_uri or a [KeyRing] published with
// httpx.JWKSHandler. It is built on jwx's jwk.Cache: fetched at start,
// refreshed in the background, and fetched again when a token names a kid
// it does not know, at most once per minimum refresh interval.
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
	cfg   remoteConfig
	cache *jose.JWKSCache
	stop  context.CancelFunc
	keys  atomic.Pointer[KeySet]

	refreshMu sync.Mutex
	lastFetch time.Time // of a fetch caused by an unknown kid; under refreshMu

	healthMu sync.Mutex
	lastErr  error
	lastOK   time.Time
}

// NewRemoteKeySet fetches the JWK Set at rawURL and keeps it fresh until ctx
// is done or Close is called. It fails when the first fetch does: a
// verifier without keys refuses everything.
func NewRemoteKeySet(ctx context.Context, rawURL string, opts ...RemoteOption) (*RemoteKeySet, error) {
	r := &RemoteKeySet{cfg: remoteConfig{
		interval:   DefaultJWKSRefreshInterval,
		minRefresh: DefaultJWKSMinRefreshInterval,
		timeout:    DefaultJWKSTimeout,
		maxSize:    DefaultJWKSMaxSize,
		clock:      systemClock{},
	}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrConfig)
		}
		if err := o.applyRemote(&r.cfg); err != nil {
			return nil, err
		}
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && r.cfg.allowHTTP)) {
		return nil, fmt.Errorf("%w: JWKS URL must be https (http only with WithJWKSAllowHTTP)", ErrConfig)
	}
	client := r.httpClient(u)
	var cacheCtx context.Context
	cacheCtx, r.stop = context.WithCancel(ctx)
	r.cache, err = jose.NewJWKSCache(cacheCtx, rawURL, client, r.cfg.interval, r.accept, r.fail)
	if err != nil {
		r.stop()
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	fetchCtx, cancel := context.WithTimeout(ctx, r.cfg.timeout)
	defer cancel()
	if err := r.cache.Refresh(fetchCtx); err != nil {
		r.stop() // no background refreshes for a set nobody holds
		return nil, fmt.Errorf("%w: %w", ErrJWKS, err)
	}
	return r, nil
}

// httpClient returns a copy of the configured client with a timeout, a size
// limit on bodies and no redirect to another origin.
func (r *RemoteKeySet) httpClient(origin *url.URL) *http.Client {
	c := http.Client{}
	if r.cfg.client != nil {
		c = *r.cfg.client
	}
	c.Timeout = r.cfg.timeout
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = limitTransport{base: base, max: r.cfg.maxSize}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host || len(via) > 3 {
			return fmt.Errorf("%w: redirect away from %s refused", ErrJWKS, origin.Host)
		}
		return nil
	}
	return &c
}

// limitTransport refuses response bodies larger than max.
type limitTransport struct {
	base http.RoundTripper
	max  int64
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: JWKS of %d bytes exceeds %d", ErrJWKS, resp.ContentLength, t.max)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

// limitedBody fails a read that goes past the limit.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("%w: JWKS larger than the size limit", ErrJWKS)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

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
	k, err := KeyFromJWK(j, Algorithm(alg))
	if err != nil {
		return nil, err
	}
	if len(r.cfg.algorithms) > 0 && !slices.Contains(r.cfg.algorithms, k.alg) {
		return nil, fmt.Errorf("algorithm %s is not allowed", k.alg)
	}
	return k, nil
}

// fail records a failed background fetch.
func (r *RemoteKeySet) fail(err error) { r.report(fmt.Errorf("%w: %w", ErrJWKS, err)) }

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

// Refresh fetches the set now, whatever the rate limit.
func (r *RemoteKeySet) Refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.timeout)
	defer cancel()
	if err := r.cache.Refresh(ctx); err != nil {
		err = fmt.Errorf("%w: %w", ErrJWKS, err)
		r.report(err)
		return err
	}
	return nil
}

// Close stops the background refreshes. The keys fetched so far stay in
// use, and a token with an unknown kid can still cause a fetch. Cancelling
// the context given to NewRemoteKeySet does the same.
func (r *RemoteKeySet) Close() { r.stop() }

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
	if !r.refreshForUnknownKID(ctx) {
		return nil, err
	}
	return r.keys.Load().verificationKey(ctx, kid, hasKID, alg)
}

// refreshForUnknownKID fetches the set once per minimum refresh interval,
// one fetch at a time; callers that waited for a fetch in progress look
// again at its result. It reports whether the keys may have changed.
func (r *RemoteKeySet) refreshForUnknownKID(ctx context.Context) bool {
	before := r.keys.Load()
	r.refreshMu.Lock()
	defer r.refreshMu.Unlock()
	if r.keys.Load() != before {
		return true
	}
	now := r.cfg.clock.Now()
	if !r.lastFetch.IsZero() && now.Sub(r.lastFetch) < r.cfg.minRefresh {
		return false
	}
	r.lastFetch = now
	// The fetch uses this slot for everyone: a client that gives up must
	// not cut it short.
	return r.Refresh(context.WithoutCancel(ctx)) == nil
}

func (r *RemoteKeySet) algorithms() []Algorithm { return nil }

func (r *RemoteKeySet) usable() error {
	if r == nil || r.keys.Load() == nil {
		return fmt.Errorf("%w: nil or zero RemoteKeySet; build it with NewRemoteKeySet", ErrKey)
	}
	return nil
}
