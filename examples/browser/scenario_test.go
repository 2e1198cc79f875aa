package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testIterations keeps password hashing cheap in tests; the code is the
// same as with passwordIterations.
const testIterations = 1000

// The cookie names of the secure defaults, with the browser-enforced
// prefixes: __Host- (Secure, Path=/, no Domain) and __Secure-.
const (
	accessCookie      = "__Host-access_token"
	refreshCookie     = "__Secure-refresh_token"
	accessCSRFCookie  = "__Host-csrf_access_token"
	refreshCSRFCookie = "__Host-csrf_refresh_token"
)

// op is something the user does on the page.
type op int

const (
	opLogin          op = iota + 1 // the login form
	opMe                           // "Who am I"
	opNotes                        // "Show notes"
	opAddNote                      // "Add note", with the CSRF header
	opAddNoteNoCSRF                // "Add note without CSRF"
	opRefresh                      // "Refresh"
	opChangePassword               // "Change password"
	opLogout                       // "Log out"
)

// action is one thing the user does. Fields an op does not use stay empty.
type action struct {
	op       op
	username string // opLogin
	password string // opLogin; the new password for opChangePassword
	note     string // opAddNote, opAddNoteNoCSRF
}

// result is an answer as the page shows it: the status and the JSON body.
type result struct {
	Status int
	Body   any
}

// parseResult reads the page's "<status> <JSON body>".
func parseResult(s string) (result, error) {
	code, body, _ := strings.Cut(s, " ")
	status, err := strconv.Atoi(code)
	if err != nil {
		return result{}, fmt.Errorf("answer %q: no status", s)
	}
	r := result{Status: status}
	if err := json.Unmarshal([]byte(body), &r.Body); err != nil {
		return result{}, fmt.Errorf("answer %q: body: %v", s, err)
	}
	return r, nil
}

// msg is an answer with a body {"msg": text}.
func msg(status int, text string) result {
	return result{Status: status, Body: map[string]any{"msg": text}}
}

// notes is the answer of GET /api/notes.
func notes(list ...any) result {
	if list == nil {
		list = []any{}
	}
	return result{Status: http.StatusOK, Body: map[string]any{"notes": list}}
}

// alice is alice as the API shows her.
func alice() map[string]any { return map[string]any{"id": "u-1001", "name": "alice"} }

// driver does what the user does: in a real browser, or with an HTTP
// client and a cookie jar that do what the page's script does.
type driver interface {
	// do performs a and returns the answer.
	do(t *testing.T, a action) result
	// cookieNames returns the sorted names of the cookies held for the
	// application, on every path.
	cookieNames(t *testing.T) []string
	// saveCookies remembers the cookies held now, as a thief who copied
	// them would; restoreCookies puts them back.
	saveCookies(t *testing.T)
	restoreCookies(t *testing.T)
	// expireAccessCookies deletes the access token and access CSRF
	// cookies, as the browser does when their Max-Age runs out.
	expireAccessCookies(t *testing.T)
}

// step is one action and the answer it must get.
type step struct {
	name string
	act  action
	want result
}

// runSteps performs the steps in order and stops at the first wrong answer:
// each step builds on the ones before.
func runSteps(t *testing.T, d driver, steps []step) {
	t.Helper()
	for _, s := range steps {
		got := d.do(t, s.act)
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Fatalf("%s: answer mismatch (-want +got):\n%s", s.name, diff)
		}
	}
}

// checkCookieNames compares the cookies d holds with want.
func checkCookieNames(t *testing.T, d driver, when string, want []string) {
	t.Helper()
	if diff := cmp.Diff(want, d.cookieNames(t)); diff != "" {
		t.Fatalf("cookies %s (-want +got):\n%s", when, diff)
	}
}

// sessionCookies returns the names of the cookies of a session, sorted.
func sessionCookies() []string {
	names := []string{accessCookie, refreshCookie, accessCSRFCookie, refreshCSRFCookie}
	slices.Sort(names)
	return names
}

// sessionScenario is the whole life of a session, the same for the browser
// and the HTTP client: log in, use the session, the CSRF refusal, a
// password change while the login is fresh and not after a refresh, logout,
// the copied cookies refused after logout, a login with the new password,
// and a logout after the access cookie expired. afterLogin, when not nil,
// runs right after the login, for checks a driver can make on its own.
func sessionScenario(t *testing.T, d driver, afterLogin func()) {
	t.Helper()
	runSteps(t, d, []step{
		{"me before login", action{op: opMe}, msg(http.StatusUnauthorized, "missing token")},
		{"wrong password", action{op: opLogin, username: "alice", password: "wrong"}, msg(http.StatusUnauthorized, "bad username or password")},
		{"unknown user", action{op: opLogin, username: "mallory", password: "wonderland"}, msg(http.StatusUnauthorized, "bad username or password")},
		{"login", action{op: opLogin, username: "alice", password: "wonderland"}, result{http.StatusOK, map[string]any{"user": alice()}}},
	})
	checkCookieNames(t, d, "after login", sessionCookies())
	if afterLogin != nil {
		afterLogin()
	}
	runSteps(t, d, []step{
		{"me", action{op: opMe}, result{http.StatusOK, alice()}},
		{"no notes yet", action{op: opNotes}, notes()},
		{"add note", action{op: opAddNote, note: "first note"}, msg(http.StatusOK, "note added")},
		{"the note is there", action{op: opNotes}, notes("first note")},
		{"add note without CSRF", action{op: opAddNoteNoCSRF, note: "forged"}, msg(http.StatusForbidden, "CSRF token missing or incorrect")},
		{"the forged note is not there", action{op: opNotes}, notes("first note")},
		{"change password while fresh", action{op: opChangePassword, password: "correct horse"}, msg(http.StatusOK, "password changed")},
		{"refresh", action{op: opRefresh}, msg(http.StatusOK, "refreshed")},
		{"change password after refresh", action{op: opChangePassword, password: "battery staple"}, msg(http.StatusUnauthorized, "fresh token required")},
		{"add note after refresh", action{op: opAddNote, note: "second note"}, msg(http.StatusOK, "note added")},
		{"both notes", action{op: opNotes}, notes("first note", "second note")},
	})
	d.saveCookies(t)
	runSteps(t, d, []step{
		{"logout", action{op: opLogout}, msg(http.StatusOK, "logged out")},
		{"add note after logout", action{op: opAddNote, note: "too late"}, msg(http.StatusUnauthorized, "missing token")},
		{"me after logout", action{op: opMe}, msg(http.StatusUnauthorized, "missing token")},
		{"refresh after logout", action{op: opRefresh}, msg(http.StatusUnauthorized, "missing token")},
	})
	checkCookieNames(t, d, "after logout", nil)
	// Logout revoked the tokens on the server too: copies are worthless.
	d.restoreCookies(t)
	runSteps(t, d, []step{
		{"copied access token after logout", action{op: opMe}, msg(http.StatusUnauthorized, "token revoked")},
		{"copied access token, add note", action{op: opAddNote, note: "too late"}, msg(http.StatusUnauthorized, "token revoked")},
		{"copied refresh token after logout", action{op: opRefresh}, msg(http.StatusUnauthorized, "token revoked")},
		{"old password", action{op: opLogin, username: "alice", password: "wonderland"}, msg(http.StatusUnauthorized, "bad username or password")},
		{"new password", action{op: opLogin, username: "alice", password: "correct horse"}, result{http.StatusOK, map[string]any{"user": alice()}}},
		{"notes of the new session", action{op: opNotes}, notes("first note", "second note")},
	})
	// A logout after the access cookie expired: the page refreshes first,
	// so that the logout sees a token of the session and revokes it.
	d.saveCookies(t)
	d.expireAccessCookies(t)
	runSteps(t, d, []step{
		{"logout with an expired access cookie", action{op: opLogout}, msg(http.StatusOK, "logged out")},
	})
	checkCookieNames(t, d, "after the second logout", nil)
	d.restoreCookies(t)
	runSteps(t, d, []step{
		{"copied refresh token after the second logout", action{op: opRefresh}, msg(http.StatusUnauthorized, "token revoked")},
	})
}
