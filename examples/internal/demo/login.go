package demo

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// maxLoginBytes is the size of the largest login request body read.
const maxLoginBytes = 4 << 10

// Credentials are the username and password of a login request, the JSON
// object {"username": …, "password": …}. A login request with more fields
// is a struct that embeds Credentials:
//
//	type loginRequest struct {
//		demo.Credentials
//		Device string `json:"device"`
//	}
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (c Credentials) credentials() Credentials { return c }

// A LoginRequest is the JSON body of a login request: [Credentials], or a
// struct (not a pointer) that embeds them. Only this package can implement
// it; embedding Credentials does.
//
// If a LoginRequest has a method Validate() error, a request it returns an
// error for is refused as a bad request before its password is checked.
type LoginRequest interface{ credentials() Credentials }

// TokenResponse is the body of a successful login (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"` // the token's lifetime in whole seconds
}

// Login returns a handler for POST /login that checks the JSON object
// {"username", "password"} against users and answers with the access
// token issue makes for the user. U is the example's user type. It is
// [LoginWith] for a request that holds only [Credentials].
func Login[U any](users *Users[U], issue func(ctx context.Context, user U) (jwtx.Token, error)) http.Handler {
	return LoginWith(users, func(ctx context.Context, user U, _ Credentials) (jwtx.Token, error) {
		return issue(ctx, user)
	})
}

// LoginWith returns a handler for POST /login. It reads the request body,
// a JSON object of at most 4 KiB, into an R, and checks the credentials in
// it against users (see [ReadLogin]). It then calls issue with the user and
// the request, and answers 200 with the token it returns, as a
// [TokenResponse]. U is the example's user type; R is the login request
// (see [LoginRequest]), so that issue can use fields beyond the
// credentials, say for [jwtx.ExtraClaims].
//
// Its answers are fixed, as in [ReadLogin]: an error of issue is answered
// 500 {"msg": "internal error"}; the error is not shown.
func LoginWith[U any, R LoginRequest](users *Users[U], issue func(ctx context.Context, user U, req R) (jwtx.Token, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in R
		u, ok := ReadLogin(w, r, users, &in)
		if !ok {
			return
		}
		tok, err := issue(r.Context(), u, in)
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, Message{"internal error"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, TokenResponse{
			AccessToken: tok.Raw,
			TokenType:   "Bearer",
			ExpiresIn:   int(tok.ExpiresAt.Sub(tok.IssuedAt) / time.Second),
		})
	})
}

// ReadLogin reads the body of the login request r, a JSON object of at
// most 4 KiB, into in, and returns the user in users whose credentials it
// holds (see [Users.Authenticate]) and true. Otherwise it answers r itself
// and returns the zero U and false: 400 {"msg": "bad request"} to a body
// that is not such an object or that in's Validate method refuses (see
// [LoginRequest]); 401 {"msg": "bad username or password"} to an unknown
// username or a wrong password, alike. U is the example's user type, R the
// login request.
func ReadLogin[U any, R LoginRequest](w http.ResponseWriter, r *http.Request, users *Users[U], in *R) (U, bool) {
	var zero U
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxLoginBytes)).Decode(in); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, Message{"bad request"})
		return zero, false
	}
	if v, ok := any(in).(interface{ Validate() error }); ok && v.Validate() != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, Message{"bad request"})
		return zero, false
	}
	c := (*in).credentials()
	u, ok := users.Authenticate(c.Username, c.Password)
	if !ok {
		httpx.WriteJSON(w, http.StatusUnauthorized, Message{"bad username or password"})
		return zero, false
	}
	return u, true
}
