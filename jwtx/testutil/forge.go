package testutil

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Defaults of an [Env] and a [Forger].
const (
	// DefaultIssuer is the iss of an Env's tokens and required by its
	// Verifier, unless [WithIssuer] says otherwise.
	DefaultIssuer = "https://issuer.test"
	// DefaultAudience is the aud of an Env's tokens and required by its
	// Verifier, unless [WithAudience] says otherwise.
	DefaultAudience = "https://api.test"
	// DefaultSubject is the sub of forged tokens, and of tokens an Env for
	// jwtx.NoUser issues, unless [WithSubject] says otherwise.
	DefaultSubject = "test-user"
)

// Values that a flawed token carries instead of the expected ones.
const (
	wrongIssuer   = "https://wrong-issuer.test"
	wrongAudience = "https://wrong-audience.test"
	unknownKeyID  = "unknown-kid"
)

// A Flaw is what is wrong with a token from [Forger.Bad]. Each flawed token
// is valid in every other respect, so a Verifier configured like the
// Forger refuses it for that one reason, with the sentinel error [Flaw.Err].
type Flaw int

// The flaws.
const (
	// Expired is a token whose exp passed an hour ago (iat and nbf two
	// hours ago).
	Expired Flaw = iota + 1
	// NotYetValid is a token whose nbf is an hour ahead (iat now, exp two
	// hours ahead).
	NotYetValid
	// MissingExpiry is a token without exp.
	MissingExpiry
	// WrongIssuer is a token from another iss. Only a Verifier that requires
	// an issuer refuses it.
	WrongIssuer
	// WrongAudience is a token for another aud.
	WrongAudience
	// WrongType is a refresh token (header typ and type claim) where an
	// access token is expected. VerifyRefresh accepts it.
	WrongType
	// Tampered is a valid token whose claims were changed (sub set to
	// "admin", or "root" for the subject "admin") and its signature kept.
	Tampered
	// BadSignature is a valid token with one bit of its signature flipped.
	BadSignature
	// ForeignKey is a token signed by an attacker's key of the same
	// algorithm, under the legitimate key's kid.
	ForeignKey
	// UnknownKeyID is a validly signed token whose kid names no key.
	UnknownKeyID
	// WrongAlgorithm is a token whose header alg is not the key's: for an
	// asymmetric key, HS256 with the public key (PKIX DER) as the HMAC
	// secret, the classic key-confusion attack; for an HMAC key, another
	// HMAC algorithm with the same secret.
	WrongAlgorithm
	// AlgNone is an unsecured token: header alg "none" and an empty
	// signature (RFC 7515 Appendix A.5).
	AlgNone
	// AlgNoneWithSignature is a token whose header says alg "none" but which
	// keeps the signature of a valid token, which some libraries accepted.
	AlgNoneWithSignature
)

// Flaws returns every Flaw, for table tests.
func Flaws() []Flaw {
	return []Flaw{
		Expired, NotYetValid, MissingExpiry, WrongIssuer, WrongAudience, WrongType, Tampered,
		BadSignature, ForeignKey, UnknownKeyID, WrongAlgorithm, AlgNone, AlgNoneWithSignature,
	}
}

// String returns the flaw's name, such as "Expired", for subtest names.
func (f Flaw) String() string {
	switch f {
	case Expired:
		return "Expired"
	case NotYetValid:
		return "NotYetValid"
	case MissingExpiry:
		return "MissingExpiry"
	case WrongIssuer:
		return "WrongIssuer"
	case WrongAudience:
		return "WrongAudience"
	case WrongType:
		return "WrongType"
	case Tampered:
		return "Tampered"
	case BadSignature:
		return "BadSignature"
	case ForeignKey:
		return "ForeignKey"
	case UnknownKeyID:
		return "UnknownKeyID"
	case WrongAlgorithm:
		return "WrongAlgorithm"
	case AlgNone:
		return "AlgNone"
	case AlgNoneWithSignature:
		return "AlgNoneWithSignature"
	}
	return "Flaw(" + strconv.Itoa(int(f)) + ")"
}

// Err returns the sentinel error jwtx refuses a token with the flaw with,
// for errors.Is, or nil for an unknown Flaw.
func (f Flaw) Err() error {
	switch f {
	case Expired:
		return jwtx.ErrExpired
	case NotYetValid:
		return jwtx.ErrNotYetValid
	case MissingExpiry:
		return jwtx.ErrMissingClaim
	case WrongIssuer:
		return jwtx.ErrIssuer
	case WrongAudience:
		return jwtx.ErrAudience
	case WrongType:
		return jwtx.ErrTokenType
	case Tampered, BadSignature, ForeignKey:
		return jwtx.ErrSignature
	case UnknownKeyID:
		return jwtx.ErrKeyNotFound
	case WrongAlgorithm, AlgNone, AlgNoneWithSignature:
		return jwtx.ErrAlgorithm
	}
	return nil
}

// A ForgeOption configures a [Forger].
type ForgeOption interface{ applyForge(*forgeConfig) }

// An Option configures both an [Env] and a [Forger], so that forged tokens
// agree with the environment's Issuer and Verifier.
type Option interface {
	EnvOption
	ForgeOption
}

// forgeConfig is what a Forger writes into tokens.
type forgeConfig struct {
	issuer     string
	audience   []string
	subject    string
	accessTyp  string
	refreshTyp string
	lifetime   time.Duration
	claims     []member
}

func defaultForge() forgeConfig {
	return forgeConfig{
		issuer:     DefaultIssuer,
		audience:   []string{DefaultAudience},
		subject:    DefaultSubject,
		accessTyp:  "at+jwt",
		refreshTyp: "refresh+jwt",
		lifetime:   jwtx.DefaultAccessTTL,
	}
}

type sharedOption func(*forgeConfig)

func (o sharedOption) applyEnv(c *envConfig)     { o(&c.forge) }
func (o sharedOption) applyForge(c *forgeConfig) { o(c) }

type forgeOption func(*forgeConfig)

func (o forgeOption) applyForge(c *forgeConfig) { o(c) }

// WithIssuer sets the iss that tokens carry and the Verifier of an Env
// requires; "" means none, and then nothing refuses a [WrongIssuer] token.
// Default: [DefaultIssuer].
func WithIssuer(iss string) Option { return sharedOption(func(c *forgeConfig) { c.issuer = iss }) }

// WithAudience sets the aud that tokens carry and the Verifier of an Env
// requires; none means no aud. Default: [DefaultAudience].
func WithAudience(aud ...string) Option {
	return sharedOption(func(c *forgeConfig) { c.audience = slices.Clone(aud) })
}

// WithSubject sets the sub of forged tokens and of the tokens an Env for
// jwtx.NoUser issues. Default: [DefaultSubject].
func WithSubject(sub string) Option { return sharedOption(func(c *forgeConfig) { c.subject = sub }) }

// WithHeaderTypes sets the header typ of access and refresh tokens, as
// jwtx.WithHeaderTypes does. Default: "at+jwt" and "refresh+jwt".
func WithHeaderTypes(access, refresh string) Option {
	return sharedOption(func(c *forgeConfig) { c.accessTyp, c.refreshTyp = access, refresh })
}

// WithClaim sets a member of the claims of forged tokens to value, JSON text
// used byte for byte: WithClaim("roles", `["admin"]`). It replaces a
// registered claim of that name, and an empty value removes it; a flaw
// still applies over it. Later calls for the same name win. Default: none.
func WithClaim(name, value string) ForgeOption {
	return forgeOption(func(c *forgeConfig) {
		i := slices.IndexFunc(c.claims, func(m member) bool { return m.name == name })
		if i < 0 {
			c.claims = append(c.claims, member{name, value})
			return
		}
		c.claims[i].value = value
	})
}

// WithLifetime sets how long forged tokens live: their exp is iat plus d.
// It does not change the times of [Expired] and [NotYetValid] tokens.
// Default: jwtx.DefaultAccessTTL.
func WithLifetime(d time.Duration) ForgeOption {
	return forgeOption(func(c *forgeConfig) { c.lifetime = d })
}

// Forger mints tokens signed with a [Key], dated by a clock: a valid token
// and, for each [Flaw], a token with exactly that flaw. Header and claims
// are written out as JSON text, so a Forger never depends on the code it
// helps test. A Forger is immutable and safe for concurrent use.
//
// Tokens carry the header alg, kid and typ of the key and options, and the
// claims iss, sub, aud, iat and nbf (now), exp (now plus [WithLifetime]),
// jti, type and, for access tokens, fresh false, then the [WithClaim]
// members.
type Forger struct {
	key   *Key
	clock jwtx.Clock
	cfg   forgeConfig
}

// NewForger returns a Forger for tokens signed with key and dated by clock,
// such as the key and clock of an Issuer and a Verifier the test built
// itself. Set [WithIssuer], [WithAudience] and [WithHeaderTypes] as that
// Verifier expects. A nil key or clock fails the test.
func NewForger(tb testing.TB, key *Key, clock jwtx.Clock, opts ...ForgeOption) *Forger {
	tb.Helper()
	if key == nil || clock == nil {
		tb.Fatalf("testutil: NewForger needs a key and a clock")
	}
	return (&Forger{key: key, clock: clock, cfg: defaultForge()}).With(opts...)
}

// With returns a copy of f with opts applied; nil options are ignored.
func (f *Forger) With(opts ...ForgeOption) *Forger {
	g := *f
	g.cfg.audience = slices.Clone(f.cfg.audience)
	g.cfg.claims = slices.Clone(f.cfg.claims)
	for _, o := range opts {
		if o != nil {
			o.applyForge(&g.cfg)
		}
	}
	return &g
}

// Valid returns an access token that a Verifier configured like f accepts.
func (f *Forger) Valid(tb testing.TB) string {
	tb.Helper()
	return Sign(tb, f.key, f.header(f.key.alg, f.key.kid, f.cfg.accessTyp), f.claims(jwtx.Access, "valid"))
}

// Claims returns the claims JSON of the token [Forger.Valid] makes now,
// for tokens built by hand with [Sign] and its siblings. Change it with
// [Forger.With] and [WithClaim]:
//
//	claims := f.With(testutil.WithClaim("sub", `"admin"`)).Claims()
//	tok := testutil.Sign(t, key, `{"alg":"EdDSA","typ":"at+jwt"}`, claims)
func (f *Forger) Claims() string { return f.claims(jwtx.Access, "valid") }

// Bad returns an access token with the given flaw; see [Flaw]. An unknown
// Flaw fails the test.
func (f *Forger) Bad(tb testing.TB, flaw Flaw) string {
	tb.Helper()
	now := f.clock.Now()
	name := strings.ToLower(flaw.String())
	header := f.header(f.key.alg, f.key.kid, f.cfg.accessTyp)
	var edits []member
	switch flaw {
	case Expired:
		edits = times(now.Add(-2*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour))
	case NotYetValid:
		edits = times(now, now.Add(time.Hour), now.Add(2*time.Hour))
	case MissingExpiry:
		edits = []member{{name: "exp"}}
	case WrongIssuer:
		edits = []member{{"iss", quote(wrongIssuer)}}
	case WrongAudience:
		edits = []member{{"aud", quote(wrongAudience)}}
	case WrongType:
		return Sign(tb, f.key, f.header(f.key.alg, f.key.kid, f.cfg.refreshTyp), f.claims(jwtx.Refresh, name))
	case UnknownKeyID:
		header = f.header(f.key.alg, unknownKeyID, f.cfg.accessTyp)
	case Tampered, BadSignature, AlgNone, AlgNoneWithSignature:
		return f.reshaped(tb, flaw, header, f.members(jwtx.Access, name))
	case ForeignKey:
		attacker, err := f.key.attacker()
		if err != nil {
			tb.Fatalf("testutil: attacker key for %v: %v", f.key, err)
		}
		return Sign(tb, attacker, header, f.claims(jwtx.Access, name))
	case WrongAlgorithm:
		alg := jwtx.HS256
		if f.key.alg == jwtx.HS256 {
			alg = jwtx.HS512
		}
		h, c := f.header(alg, f.key.kid, f.cfg.accessTyp), f.claims(jwtx.Access, name)
		sig, err := f.key.sign(alg, []byte(SigningInput(h, c)))
		if err != nil {
			tb.Fatalf("testutil: %s token: %v", flaw, err)
		}
		return Compact(h, c, sig)
	default:
		tb.Fatalf("testutil: unknown %v", flaw)
	}
	return Sign(tb, f.key, header, f.claims(jwtx.Access, name, edits...))
}

// reshaped returns a valid token with its claims, signature or header
// changed after signing.
func (f *Forger) reshaped(tb testing.TB, flaw Flaw, header string, ms []member) string {
	tb.Helper()
	claims := encode(ms)
	sig := f.key.Sign(tb, []byte(SigningInput(header, claims)))
	switch flaw {
	case Tampered:
		sub := quote("admin")
		if i := slices.IndexFunc(ms, func(m member) bool { return m.name == "sub" }); i >= 0 && ms[i].value == sub {
			sub = quote("root")
		}
		return Compact(header, encode(set(ms, "sub", sub)), sig)
	case BadSignature:
		sig[0] ^= 1
		return Compact(header, claims, sig)
	case AlgNone:
		return Compact(f.header("none", f.key.kid, f.cfg.accessTyp), claims, nil)
	}
	return Compact(f.header("none", f.key.kid, f.cfg.accessTyp), claims, sig)
}

// header returns the JOSE header JSON, members in the order jwtx writes
// them: alg, kid (when not empty), typ.
func (f *Forger) header(alg jwtx.Algorithm, kid, typ string) string {
	h := `{"alg":` + quote(string(alg))
	if kid != "" {
		h += `,"kid":` + quote(kid)
	}
	return h + `,"typ":` + quote(typ) + `}`
}

// claims returns the claims JSON of a token of type typ with the given jti
// suffix, the WithClaim members, and then edits.
func (f *Forger) claims(typ jwtx.TokenType, jti string, edits ...member) string {
	return encode(f.members(typ, jti, edits...))
}

// members is claims as a list of members, for edits after encoding.
func (f *Forger) members(typ jwtx.TokenType, jti string, edits ...member) []member {
	now := f.clock.Now()
	var ms []member
	if f.cfg.issuer != "" {
		ms = append(ms, member{"iss", quote(f.cfg.issuer)})
	}
	ms = append(ms, member{"sub", quote(f.cfg.subject)})
	switch len(f.cfg.audience) {
	case 0:
	case 1:
		ms = append(ms, member{"aud", quote(f.cfg.audience[0])})
	default:
		b, _ := json.Marshal(f.cfg.audience) // a []string always encodes
		ms = append(ms, member{"aud", string(b)})
	}
	ms = append(ms, times(now, now, now.Add(f.cfg.lifetime))...)
	ms = append(ms, member{"jti", quote("forged-" + jti)}, member{"type", quote(string(typ))})
	if typ == jwtx.Access {
		ms = append(ms, member{"fresh", "false"})
	}
	for _, m := range append(slices.Clone(f.cfg.claims), edits...) {
		ms = set(ms, m.name, m.value)
	}
	return ms
}

// member is one claim: a name and its JSON value text, "" to delete it.
type member struct{ name, value string }

// times returns the iat, nbf and exp members for the given times.
func times(iat, nbf, exp time.Time) []member {
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	return []member{{"iat", unix(iat)}, {"nbf", unix(nbf)}, {"exp", unix(exp)}}
}

// set replaces the member called name, appends it, or deletes it when value
// is "".
func set(ms []member, name, value string) []member {
	i := slices.IndexFunc(ms, func(m member) bool { return m.name == name })
	switch {
	case i < 0 && value == "":
		return ms
	case i < 0:
		return append(ms, member{name, value})
	case value == "":
		return slices.Delete(ms, i, i+1)
	}
	ms[i].value = value
	return ms
}

// encode writes the members as a JSON object.
func encode(ms []member) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(m.name))
		b.WriteByte(':')
		b.WriteString(m.value)
	}
	b.WriteByte('}')
	return b.String()
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}
