package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// walker sends the tour's requests and prints them.
type walker struct {
	out    io.Writer
	base   string
	colour bool
	client *http.Client
	err    error
}

// step sends one request and returns the decoded JSON response.
func (w *walker) step(title, method, path, bearer, body string, wantStatus int) map[string]any {
	if w.err != nil {
		return nil
	}
	fmt.Fprintf(w.out, "\n%s\n", w.paint("1", "# "+title))
	req, err := http.NewRequest(method, w.base+path, strings.NewReader(body))
	if err != nil {
		w.err = err
		return nil
	}
	line := "→ " + method + " " + path
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
		line += "  Authorization: Bearer " + abbreviate(bearer)
	}
	if body != "" {
		line += "  " + body
	}
	fmt.Fprintln(w.out, w.paint("36", line))
	resp, err := w.client.Do(req)
	if err != nil {
		w.err = err
		return nil
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		w.err = err
		return nil
	}
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		w.err = fmt.Errorf("%s %s: response is not JSON: %w", method, path, err)
		return nil
	}
	shown := map[string]any{}
	for k, v := range decoded {
		if s, ok := v.(string); ok && strings.HasSuffix(k, "_token") {
			v = abbreviate(s)
		}
		shown[k] = v
	}
	pretty, _ := json.Marshal(shown)
	colour := "32"
	if resp.StatusCode >= 400 {
		colour = "31"
	}
	fmt.Fprintln(w.out, w.paint(colour, fmt.Sprintf("← %d %s", resp.StatusCode, bytes.TrimSpace(pretty))))
	if resp.StatusCode != wantStatus {
		w.err = fmt.Errorf("%s %s: status %d, want %d", method, path, resp.StatusCode, wantStatus)
	}
	return decoded
}

func (w *walker) paint(code, s string) string {
	if !w.colour {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func abbreviate(tok string) string {
	if len(tok) <= 24 {
		return tok
	}
	return tok[:12] + "…" + tok[len(tok)-8:]
}

// tamper changes one character of a token's claims segment.
func tamper(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) < 2 {
		return tok
	}
	p := []byte(parts[1])
	if p[1] == 'A' {
		p[1] = 'B'
	} else {
		p[1] = 'A'
	}
	return parts[0] + "." + string(p) + "." + parts[2]
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// tour walks through the demo's flows and returns the first unexpected
// status.
func tour(out io.Writer, base string, colour bool) error {
	w := &walker{out: out, base: base, colour: colour, client: &http.Client{}}
	fmt.Fprintf(out, "typedjwt tour against %s\n", base)
	w.step("A wrong password is refused", "POST", "/login", "", `{"username":"alice","password":"guess"}`, 401)
	login := w.step("Log in: one call builds both tokens from the user struct", "POST", "/login", "", `{"username":"alice","password":"wonderland"}`, 200)
	access, refresh := str(login, "access_token"), str(login, "refresh_token")
	w.step("No token, no entry", "GET", "/me", "", "", 401)
	w.step("The handler reads typed claims and the typed user from the context", "GET", "/me", access, "", 200)
	w.step("Roles come from the claims function", "GET", "/admin", access, "", 200)
	bob := w.step("Bob logs in", "POST", "/login", "", `{"username":"bob","password":"builder"}`, 200)
	w.step("Bob is not an admin", "GET", "/admin", str(bob, "access_token"), "", 403)
	w.step("A refresh token is not an access token", "GET", "/me", refresh, "", 401)
	w.step("An access token cannot refresh", "POST", "/refresh", access, "", 401)
	fresh := w.step("Refresh: a new access token (not fresh) and a new refresh token; the old one is spent", "POST", "/refresh", refresh, "", 200)
	w.step("The new access token works", "GET", "/me", str(fresh, "access_token"), "", 200)
	w.step("A tampered token is refused", "GET", "/me", tamper(access), "", 401)
	w.step("The spent refresh token again (a thief's replay): the whole login is revoked", "POST", "/refresh", refresh, "", 401)
	w.step("So is every token of that login", "GET", "/me", str(fresh, "access_token"), "", 401)
	w.step("The new refresh token too", "POST", "/refresh", str(fresh, "refresh_token"), "", 401)
	w.step("Bob logs out: his tokens are revoked, not just forgotten", "POST", "/logout", str(bob, "access_token"), "", 200)
	w.step("Bob's access token no longer works", "GET", "/me", str(bob, "access_token"), "", 401)
	w.step("Nor does his refresh token", "POST", "/refresh", str(bob, "refresh_token"), "", 401)
	if w.err != nil {
		return w.err
	}
	fmt.Fprintf(out, "\n%s\n", w.paint("32", "Tour complete. Run with -serve to try it with curl."))
	return nil
}
