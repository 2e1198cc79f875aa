// Command jwks runs two services in one process, each on its own loopback
// port, and walks through a key rotation between them:
//
//   - auth issues access tokens signed with the active key of a
//     jwtx.KeyRing (POST /login) and publishes the ring's public keys with
//     httpx.JWKSHandler at /.well-known/jwks.json;
//   - api verifies tokens with keys it fetches from that URL, through
//     jwtx.NewRemoteKeySet and httpx middleware (GET /hello), and reports
//     the state of its key set at GET /healthz.
//
// The walk logs in, calls the api, rotates auth's signing key, logs in
// again and calls the api with the new token and the old one: both work.
// The new kid makes the api fetch the JWKS once more; nothing else does.
//
//	go run ./examples/jwks
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

const (
	// issuerName is the iss claim of auth's tokens; the api requires it.
	issuerName = "https://auth.jwks-example.test"
	// audience is the aud claim of auth's tokens; the api requires it.
	audience = "api"
	// jwksPath is where auth publishes its public keys.
	jwksPath = "/.well-known/jwks.json"
	// accessTTL is the lifetime of an access token, and so how long a
	// retired key must keep verifying the tokens it signed.
	accessTTL = 10 * time.Minute
)

// User is a user of the auth service.
type User struct {
	Name     string
	Roles    []string
	password string // demo only: real services store a password hash
}

// Claims are the typed claims of an access token.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run starts both services on loopback and walks through the rotation,
// printing each step to out.
func run(out io.Writer) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out = &lockedWriter{w: out}

	auth, err := newAuth(jwtx.ClockFunc(time.Now))
	if err != nil {
		return err
	}
	var fetches atomic.Int64
	authURL, stopAuth, err := serve(countRequests(jwksPath, &fetches, auth.handler()))
	if err != nil {
		return err
	}
	defer stopAuth()
	fmt.Fprintf(out, "auth listens on %s and publishes its keys at %s\n", authURL, jwksPath)

	api, err := newAPI(ctx, authURL+jwksPath, nil, jwtx.ClockFunc(time.Now), func(err error) {
		fmt.Fprintf(out, "api: JWKS problem: %v\n", err)
	})
	if err != nil {
		return err
	}
	defer api.keys.Close()
	apiURL, stopAPI, err := serve(api.handler())
	if err != nil {
		return err
	}
	defer stopAPI()
	fmt.Fprintf(out, "api  listens on %s and fetched the JWKS at start (fetches: %d)\n\n", apiURL, fetches.Load())

	return walk(ctx, out, &http.Client{Timeout: 5 * time.Second}, authURL, apiURL, auth.rotate, fetches.Load)
}

// serve serves h on a free port of 127.0.0.1 and returns its base URL and
// a function that stops it.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, MaxHeaderBytes: 16 << 10}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// countRequests counts the requests for path that h receives.
func countRequests(path string, n *atomic.Int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			n.Add(1)
		}
		h.ServeHTTP(w, r)
	})
}

// authService issues tokens signed with the active key of its ring and
// publishes the ring's public keys.
type authService struct {
	ring   *jwtx.KeyRing
	issuer *jwtx.Issuer[User, Claims]
	users  map[string]User

	mu         sync.Mutex // serialises rotations, for the kid counter
	generation int
}

// newAuth builds the auth service with a fresh ES256 key, kid "auth-1".
func newAuth(clock jwtx.Clock) (*authService, error) {
	a := &authService{
		generation: 1,
		users: map[string]User{
			"alice": {Name: "alice", Roles: []string{"admin"}, password: "wonderland"},
			"bob":   {Name: "bob", Roles: []string{"user"}, password: "builder"},
		},
	}
	key, err := newSigningKey("auth-1")
	if err != nil {
		return nil, err
	}
	if a.ring, err = jwtx.NewKeyRing(key, jwtx.WithClock(clock)); err != nil {
		return nil, err
	}
	a.issuer, err = jwtx.NewIssuer[User, Claims](a.ring,
		jwtx.WithClock(clock),
		jwtx.WithIssuer(issuerName),
		jwtx.WithAudience(audience),
		jwtx.WithAccessTTL(accessTTL),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// newSigningKey generates an ES256 key with the given kid.
func newSigningKey(kid string) (*jwtx.Key, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return jwtx.NewKey(jwtx.ES256, priv, jwtx.WithKeyID(kid))
}

// rotate makes a new key the active one and returns its kid. The previous
// key keeps verifying for accessTTL, the lifetime of the tokens it signed.
func (a *authService) rotate() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	kid := fmt.Sprintf("auth-%d", a.generation+1)
	key, err := newSigningKey(kid)
	if err != nil {
		return "", err
	}
	if err := a.ring.Rotate(key, accessTTL); err != nil {
		return "", err
	}
	a.generation++
	return kid, nil
}

// handler serves POST /login and the JWKS.
func (a *authService) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(jwksPath, httpx.JWKSHandler(a.ring, 5*time.Minute))
	mux.HandleFunc("POST /login", a.login)
	return mux
}

// loginResponse is the body of a successful login.
type loginResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func (a *authService) login(w http.ResponseWriter, r *http.Request) {
	var creds struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&creds); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "bad request"})
		return
	}
	u, ok := a.users[creds.Username]
	if !ok || subtle.ConstantTimeCompare([]byte(u.password), []byte(creds.Password)) != 1 {
		httpx.WriteJSON(w, http.StatusUnauthorized, map[string]string{"msg": "invalid credentials"})
		return
	}
	tok, err := a.issuer.Access(r.Context(), u)
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, loginResponse{
		AccessToken: tok.Raw,
		TokenType:   "Bearer",
		ExpiresIn:   int(accessTTL / time.Second),
	})
}

// apiService verifies tokens with the keys auth publishes.
type apiService struct {
	keys *jwtx.RemoteKeySet
	auth *httpx.Auth[jwtx.NoUser, Claims]
}

// newAPI fetches the JWKS at jwksURL and builds the api on it. client may
// be nil. onError hears of every failed JWKS fetch.
func newAPI(ctx context.Context, jwksURL string, client *http.Client, clock jwtx.Clock, onError func(error)) (*apiService, error) {
	opts := []jwtx.RemoteOption{
		// auth is on loopback, so plain HTTP is acceptable here. Across a
		// network, keep the default: https only.
		jwtx.WithJWKSAllowHTTP(true),
		jwtx.WithClock(clock),
		jwtx.WithJWKSErrorHandler(onError),
	}
	if client != nil {
		opts = append(opts, jwtx.WithJWKSHTTPClient(client))
	}
	keys, err := jwtx.NewRemoteKeySet(ctx, jwksURL, opts...)
	if err != nil {
		return nil, err
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](keys,
		jwtx.WithClock(clock),
		jwtx.WithIssuer(issuerName),
		jwtx.WithAudience(audience),
	)
	if err != nil {
		keys.Close()
		return nil, err
	}
	auth, err := httpx.New(ver)
	if err != nil {
		keys.Close()
		return nil, err
	}
	return &apiService{keys: keys, auth: auth}, nil
}

// handler serves GET /hello (authenticated) and GET /healthz.
func (a *apiService) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /hello", a.auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c Claims, _ jwtx.NoUser) {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"hello": c.Subject, "roles": c.Roles})
	}))
	mux.HandleFunc("GET /healthz", a.health)
	return mux
}

// health reports whether the last JWKS fetch worked and when the last good
// one was. The error itself goes to the logs, never into a response.
func (a *apiService) health(w http.ResponseWriter, _ *http.Request) {
	lastOK, err := a.keys.Health()
	body := map[string]string{"jwks": "ok", "last_success": lastOK.UTC().Format(time.RFC3339)}
	status := http.StatusOK
	if err != nil {
		body["jwks"], status = "stale", http.StatusServiceUnavailable
	}
	httpx.WriteJSON(w, status, body)
}

// walk plays a client of both services, printing each step. rotate rotates
// auth's key; fetches counts the JWKS requests auth has answered.
func walk(ctx context.Context, out io.Writer, client *http.Client, authURL, apiURL string, rotate func() (string, error), fetches func() int64) error {
	login := func(step string) (string, error) {
		status, body, err := call(ctx, client, http.MethodPost, authURL+"/login", "", `{"username":"alice","password":"wonderland"}`)
		if err != nil {
			return "", err
		}
		var res loginResponse
		if status != http.StatusOK || json.Unmarshal(body, &res) != nil {
			return "", fmt.Errorf("%s: login answered %d %s", step, status, body)
		}
		fmt.Fprintf(out, "%s POST auth/login as alice         → %d, a token signed with kid %s\n", step, status, kidOf(res.AccessToken))
		return res.AccessToken, nil
	}
	hello := func(step, what, token string, want int) error {
		status, body, err := call(ctx, client, http.MethodGet, apiURL+"/hello", token, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s GET  api/hello %-17s → %d %s (JWKS fetches: %d)\n", step, what, status, bytes.TrimSpace(body), fetches())
		if status != want {
			return fmt.Errorf("%s: api answered %d, want %d", step, status, want)
		}
		return nil
	}

	first, err := login("1.")
	if err != nil {
		return err
	}
	if err := hello("2.", "with it", first, http.StatusOK); err != nil {
		return err
	}
	if err := hello("3.", "without a token", "", http.StatusUnauthorized); err != nil {
		return err
	}
	kid, err := rotate()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "4. auth rotates its signing key     → kid %s active, the old key retired for %v\n", kid, accessTTL)
	second, err := login("5.")
	if err != nil {
		return err
	}
	if err := hello("6.", "with the new one", second, http.StatusOK); err != nil {
		return err
	}
	if err := hello("7.", "with the old one", first, http.StatusOK); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nBoth tokens work; the new kid cost the api exactly one JWKS fetch.")
	return nil
}

// call sends one request with an optional bearer token and JSON body, and
// returns the status and body.
func call(ctx context.Context, client *http.Client, method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, b, err
}

// kidOf returns the kid in a token's header, for display.
func kidOf(token string) string {
	seg, _, _ := strings.Cut(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return "?"
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(b, &h) != nil {
		return "?"
	}
	return h.Kid
}

// lockedWriter serialises writes: the JWKS error handler runs on its own
// goroutine.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
