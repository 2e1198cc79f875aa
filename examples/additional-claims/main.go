// Command additional-claims adds claims to tokens in three ways and shows
// how they merge. The ClaimsFunc (flask-jwt-extended's
// additional_claims_loader) runs for every token and sets what belongs to
// the user: org and plan. Per-call options of the login handler set what
// belongs to one login: iss.Modify, typed, sets amr; jwtx.ExtraClaims, by
// name, sets promo and, for a valid promo code, "plan": "trial". On a tie the
// per-call claim wins, so a promo login says "trial" where the ClaimsFunc
// said "free".
//
// Login also issues a second token for another API with
// jwtx.ForAudience("reports"). That API's verifier (WithAudience("reports"),
// mounted under /reports/) accepts it; this API's verifier, which has no
// audience, refuses it, and the reverse. GET /claims and GET
// /reports/claims answer with the raw claims of the token, from
// jwtx.RawFrom(ctx).Map().
//
// The server listens on loopback only, with an ES256 key generated at
// start-up:
//
//	go run ./examples/additional-claims [-addr 127.0.0.1:8080]
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

const (
	// issuerName is the iss claim of every token; both APIs require it.
	issuerName = "https://auth.additional-claims.test"
	// reportsAudience is the aud claim of tokens for the reports API.
	reportsAudience = "reports"
	// promoCode is the one promotion code the demo knows.
	promoCode = "TRY-PRO"
)

// Claims are the typed claims of an access token. ExtraClaims may add
// claims it does not declare, such as promo; jwtx.RawFrom sees those.
type Claims struct {
	jwtx.RegisteredClaims
	Org  string   `json:"org"`
	Plan string   `json:"plan"`
	AMR  []string `json:"amr,omitempty"` // how this login was authenticated (RFC 8176)
}

// newServer returns the API: POST /login, GET /claims, and the reports
// API's GET /reports/claims. Tokens are signed with key and timed by clock.
func newServer(key *jwtx.Key, clock jwtx.Clock, users *demo.Users[User]) (http.Handler, error) {
	clk, iss := jwtx.WithClock(clock), jwtx.WithIssuer(issuerName)
	issuer, err := jwtx.NewIssuer[User, Claims](key, clk, iss,
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		// The claims loader: what every token of this user says.
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Org: u.Org, Plan: u.Plan}, nil
		}),
	)
	if err != nil {
		return nil, err
	}
	// This API accepts tokens without aud only.
	apiVer, err := jwtx.NewClaimsVerifier[Claims](key.Public(), clk, iss)
	if err != nil {
		return nil, err
	}
	api, err := httpx.New(apiVer)
	if err != nil {
		return nil, err
	}
	// The reports API, a separate service in real life, accepts tokens
	// for its audience only.
	reportsVer, err := jwtx.NewClaimsVerifier[Claims](key.Public(), clk, iss, jwtx.WithAudience(reportsAudience))
	if err != nil {
		return nil, err
	}
	reports, err := httpx.New(reportsVer, httpx.WithRealm(reportsAudience))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", login(issuer, users))
	mux.Handle("GET /claims", api.Required(http.HandlerFunc(rawClaims)))
	mux.Handle("GET /reports/claims", reports.Required(http.HandlerFunc(rawClaims)))
	return mux, nil
}

// loginBody is the body of POST /login: the credentials and an optional
// promotion code.
type loginBody struct {
	demo.Credentials
	Promo string `json:"promo"`
}

// login checks {"username", "password", "promo"} and answers with a token
// for this API and one for the reports API.
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in loginBody
		u, ok := demo.ReadLogin(w, r, users, &in)
		if !ok {
			return // ReadLogin has answered 400 or 401
		}
		opts := []jwtx.IssueOption{
			// Per call and typed: a fact about this login, not about the user.
			iss.Modify(func(c *Claims) { c.AMR = []string{"pwd"} }),
		}
		switch in.Promo {
		case "":
		case promoCode:
			// Per call and by name: "plan" ties with the ClaimsFunc's "free"
			// and wins; "promo" is a claim Claims does not declare.
			opts = append(opts, jwtx.ExtraClaims(map[string]any{"plan": "trial", "promo": in.Promo}))
		default:
			httpx.WriteJSON(w, http.StatusBadRequest, demo.Message{Msg: "unknown promo code"})
			return
		}
		access, err := iss.Access(r.Context(), u, opts...)
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, demo.Message{Msg: "internal error"})
			return
		}
		// The same claims, for the reports API: ForAudience sets aud for
		// this token only.
		reports, err := iss.Access(r.Context(), u, append(opts, jwtx.ForAudience(reportsAudience))...)
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, demo.Message{Msg: "internal error"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, tokenResponse{
			AccessToken:  access.Raw,
			ReportsToken: reports.Raw,
			TokenType:    "Bearer",
			ExpiresIn:    int(access.ExpiresAt.Sub(access.IssuedAt) / time.Second),
		})
	})
}

// rawClaims answers with every claim of the verified token, those Claims
// does not declare included, as flask-jwt-extended's get_jwt() returns
// them.
func rawClaims(w http.ResponseWriter, r *http.Request) {
	raw, _ := jwtx.RawFrom(r.Context()) // always there behind Required
	m, err := raw.Map()
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, demo.Message{Msg: "internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}

// tokenResponse is the body of a successful login: RFC 6749 §5.1 with a
// second token for the reports API.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	ReportsToken string `json:"reports_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func main() { demo.Main(run) }

// run serves the API on addr until ctx is done, with an ES256 key made at
// start-up, and tells out how to try it.
func run(ctx context.Context, addr string, out io.Writer) error {
	return demo.ServeAPI(ctx, addr, jwtx.ES256, demoUsers, newServer, func(base string) {
		fmt.Fprintf(out, `additional-claims listening on %[1]s (Ctrl-C to stop). User: alice/wonderland; promo code %[2]s.

  curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland","promo":"%[2]s"}' > tokens.json
  curl -s %[1]s/claims -H "Authorization: Bearer $(jq -r .access_token tokens.json)"
  curl -s %[1]s/reports/claims -H "Authorization: Bearer $(jq -r .reports_token tokens.json)"
  curl -s %[1]s/claims -H "Authorization: Bearer $(jq -r .reports_token tokens.json)"
`, base, promoCode)
	})
}
