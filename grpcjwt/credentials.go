package grpcjwt

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/credentials"

	"github.com/typedjwt/typedjwt/jwtx"
)

// A TokenSource supplies the access token a client sends: from a login, a
// refresh call, a file. Only Raw and ExpiresAt of the token are used;
// ExpiresAt may be zero for a token whose expiry the client does not know.
type TokenSource interface {
	Token(ctx context.Context) (jwtx.Token, error)
}

// TokenSourceFunc adapts a function to a [TokenSource].
type TokenSourceFunc func(ctx context.Context) (jwtx.Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (jwtx.Token, error) { return f(ctx) }

// A CredentialsOption configures [NewCredentials].
type CredentialsOption interface {
	applyCredentials(*Credentials) error
}

type credentialsOption func(*Credentials) error

func (o credentialsOption) applyCredentials(c *Credentials) error { return o(c) }

// WithRefreshBefore sets how long before a token's exp the credentials
// ask the source for a new one. Default: one minute.
func WithRefreshBefore(d time.Duration) CredentialsOption {
	return credentialsOption(func(c *Credentials) error {
		if d < 0 {
			return fmt.Errorf("%w: grpcjwt: negative refresh margin %v: use zero or more", jwtx.ErrConfig, d)
		}
		c.early = d
		return nil
	})
}

// WithClock sets the clock that tells when a token is due for renewal.
// Default: the system clock.
func WithClock(clock jwtx.Clock) CredentialsOption {
	return credentialsOption(func(c *Credentials) error {
		if clock == nil {
			return fmt.Errorf("%w: grpcjwt: nil clock", jwtx.ErrConfig)
		}
		c.clock = clock
		return nil
	})
}

// AllowInsecure says whether the token may go over a connection without
// transport security. Bearer tokens over plain text can be stolen on the
// way: allow it for tests and loopback only. Default: false (a call over
// an insecure connection fails before anything is sent).
func AllowInsecure(allow bool) CredentialsOption {
	return credentialsOption(func(c *Credentials) error {
		c.insecure = allow
		return nil
	})
}

// Credentials are per-RPC credentials (grpc.WithPerRPCCredentials) that
// send "authorization: Bearer <token>" with every call. They keep the
// source's token and ask the source again when it expires within the
// refresh margin; concurrent calls share one renewal. Credentials are safe
// for concurrent use.
type Credentials struct {
	src      TokenSource
	early    time.Duration
	clock    jwtx.Clock
	insecure bool

	mu  sync.Mutex
	tok jwtx.Token
}

var _ credentials.PerRPCCredentials = (*Credentials)(nil)

// NewCredentials returns credentials that send the tokens of src.
func NewCredentials(src TokenSource, opts ...CredentialsOption) (*Credentials, error) {
	if src == nil {
		return nil, fmt.Errorf("%w: grpcjwt: nil token source", jwtx.ErrConfig)
	}
	c := &Credentials{src: src, early: time.Minute, clock: jwtx.ClockFunc(time.Now)}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: grpcjwt: nil option", jwtx.ErrConfig)
		}
		if err := o.applyCredentials(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// GetRequestMetadata returns the authorization entry of a call, renewing
// the token first when it is due. Over a connection without privacy and
// integrity it fails unless AllowInsecure(true).
func (c *Credentials) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if !c.insecure {
		ri, _ := credentials.RequestInfoFromContext(ctx)
		if err := credentials.CheckSecurityLevel(ri.AuthInfo, credentials.PrivacyAndIntegrity); err != nil {
			return nil, fmt.Errorf("grpcjwt: refusing to send a token over an insecure connection: %w", err)
		}
	}
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]string{"authorization": "Bearer " + tok}, nil
}

// RequireTransportSecurity reports whether the credentials need a secure
// connection: true unless AllowInsecure(true).
func (c *Credentials) RequireTransportSecurity() bool { return !c.insecure }

// token returns the raw token to send, renewing it when it is due.
func (c *Credentials) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok.Raw != "" && (c.tok.ExpiresAt.IsZero() || c.clock.Now().Add(c.early).Before(c.tok.ExpiresAt)) {
		return c.tok.Raw, nil
	}
	tok, err := c.src.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("grpcjwt: token source: %w", err)
	}
	if tok.Raw == "" {
		return "", fmt.Errorf("grpcjwt: token source returned no token")
	}
	c.tok = tok
	return tok.Raw, nil
}
