package httpx

import (
	"fmt"
	"net/http"

	"github.com/typedjwt/typedjwt/jwtx"
)

// FlaskCompat makes an Auth speak flask-jwt-extended's HTTP contract, so
// that a Go service takes over a Flask service's clients and cookie
// sessions as they are (give the Issuer and Verifier jwtx.FlaskCompat too):
//
//   - cookies named access_token_cookie, refresh_token_cookie,
//     csrf_access_token and csrf_refresh_token, all on path "/", as
//     session cookies (JWT_SESSION_COOKIE), still Secure and HttpOnly;
//   - the CSRF value in the X-CSRF-TOKEN header;
//   - Flask's answers: 401 for a missing, expired, revoked or not fresh
//     token and for CSRF, 422 for a bad signature, algorithm, token type or
//     a malformed token, each with Flask's message under "msg" (see
//     [WithErrorKey] for JWT_ERROR_MESSAGE_KEY).
//
// Options after it change single settings (WithCSRFHeader, WithErrorKey,
// WithErrorHandler, ...); WithCookies replaces the cookie settings whole,
// so start it from [FlaskCookies]. Default: off.
func FlaskCompat() Option {
	return option(func(c *config) error {
		ck, err := FlaskCookies().Resolve()
		if err != nil {
			return err
		}
		c.cookies = ck
		c.csrfHeader = http.CanonicalHeaderKey("X-CSRF-TOKEN")
		c.answer = flaskAnswer
		return nil
	})
}

// FlaskCookies returns flask-jwt-extended's cookie settings, the ones
// [FlaskCompat] uses: its four cookie names, both token cookies on path
// "/", session cookies. Change fields of it for WithCookies, such as the
// Domain (JWT_COOKIE_DOMAIN).
func FlaskCookies() Cookies {
	return Cookies{
		AccessName: "access_token_cookie", RefreshName: "refresh_token_cookie",
		AccessCSRFName: "csrf_access_token", RefreshCSRFName: "csrf_refresh_token",
		RefreshPath: "/", Session: true,
	}
}

// WithErrorKey sets the JSON member that carries the message of a refusal
// in the default answers, flask-jwt-extended's JWT_ERROR_MESSAGE_KEY.
// Default: "msg".
func WithErrorKey(key string) Option {
	return option(func(c *config) error {
		if key == "" {
			return fmt.Errorf("%w: httpx: WithErrorKey needs a member name, such as \"msg\"", jwtx.ErrConfig)
		}
		c.msgKey = key
		return nil
	})
}

// flaskAnswer is the answer flask-jwt-extended 4 gives for a reason.
func flaskAnswer(r Reason) Answer {
	a := answerOf(r)
	flask := func(status int, msg string) Answer {
		a.Status, a.Message = status, msg
		if status == http.StatusUnprocessableEntity {
			a.Code = ""
		}
		return a
	}
	switch r {
	case ReasonMissing:
		return flask(http.StatusUnauthorized, "Missing JWT in headers or cookies")
	case ReasonBadRequest:
		return flask(http.StatusUnprocessableEntity, "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'")
	case ReasonExpired:
		return flask(http.StatusUnauthorized, "Token has expired")
	case ReasonRevoked, ReasonReused:
		return flask(http.StatusUnauthorized, "Token has been revoked")
	case ReasonNotFresh:
		return flask(http.StatusUnauthorized, "Fresh token required")
	case ReasonCSRF, ReasonCrossOrigin:
		return flask(http.StatusUnauthorized, "CSRF double submit tokens do not match")
	case ReasonSignature:
		return flask(http.StatusUnprocessableEntity, "Signature verification failed")
	case ReasonWrongType:
		return flask(http.StatusUnprocessableEntity, "Wrong token type")
	case ReasonInvalid:
		return flask(http.StatusUnprocessableEntity, "Invalid token")
	case ReasonClaims:
		return flask(http.StatusBadRequest, "User claims verification failed")
	case ReasonUserMissing:
		return flask(http.StatusUnauthorized, "Error loading the user")
	}
	return a
}
