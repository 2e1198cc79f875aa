package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// browserTimeout bounds the whole browser test: starting Chromium, every
// click and every wait.
const browserTimeout = 60 * time.Second

// chromiumPath returns the Chromium to drive: chromium on PATH, else
// /usr/bin/chromium. Without one the test fails, unless TYPEDJWT_BROWSER=off
// says to skip it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if os.Getenv("TYPEDJWT_BROWSER") == "off" {
		t.Skip("TYPEDJWT_BROWSER=off: browser test skipped")
	}
	if path, err := exec.LookPath("chromium"); err == nil {
		return path
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("Chromium not found (chromium on PATH, /usr/bin/chromium): install it with `apt-get install chromium`, " +
		"or set TYPEDJWT_BROWSER=off to skip this test")
	return ""
}

// browser is a driver that clicks the page in a headless Chromium.
type browser struct {
	ctx   context.Context // a chromedp context whose tab shows the page
	base  string          // the application's URL
	saved []*network.Cookie
}

// logWriter collects Chromium's output, to show it when the test fails.
type logWriter struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *logWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// newBrowser starts a headless Chromium with a new profile and opens the
// page at base. Chromium accepts the server's self-signed certificate, and
// no other certificate error: its key is on the SPKI list.
func newBrowser(t *testing.T, base string, cert *x509.Certificate) *browser {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), browserTimeout)
	t.Cleanup(cancel)
	output := &logWriter{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(output),
		// What this machine needs: no sandbox as root, no GPU, and no
		// background traffic towards a network that is not there.
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("ignore-certificate-errors-spki-list", spkiHash(cert)),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, tabCancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		tabCancel()
		allocCancel() // waits for Chromium to exit, before the profile is removed
		if t.Failed() {
			t.Logf("Chromium's output:\n%s", output)
		}
	})
	if err := chromedp.Do(tabCtx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login"))); err != nil {
		t.Fatalf("opening the page in Chromium: %v", err)
	}
	return &browser{ctx: tabCtx, base: base}
}

// seqJS is the number of answers the page has shown.
const seqJS = `Number(document.getElementById("out").dataset.seq || 0)`

// do fills in the inputs of a, clicks its button and waits until the page
// shows the answer.
func (b *browser) do(t *testing.T, a action) result {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	set := func(id, value string) {
		steps = append(steps, chromedp.SetValue(chromedp.CSS("#"+id), value))
	}
	var button string
	switch a.op {
	case opLogin:
		set("username", a.username)
		set("password", a.password)
		button = "login"
	case opMe:
		button = "me"
	case opNotes:
		button = "notes"
	case opAddNote:
		set("note", a.note)
		button = "add-note"
	case opAddNoteNoCSRF:
		set("note", a.note)
		button = "add-note-no-csrf"
	case opRefresh:
		button = "refresh"
	case opChangePassword:
		set("new-password", a.password)
		button = "password-change"
	case opLogout:
		button = "logout"
	default:
		t.Fatalf("unknown op %d", a.op)
	}
	seq, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](seqJS))
	if err != nil {
		t.Fatalf("reading the answer count: %v", err)
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#"+button)))
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("clicking #%s: %v", button, err)
	}
	// The next answer: the poll returns the text once the count moves on.
	text, err := chromedp.Run(b.ctx, chromedp.Poll[string](
		fmt.Sprintf(`%s > %d && document.getElementById("out").textContent`, seqJS, seq),
		chromedp.WithPollingTimeout(0))) // the context's deadline bounds it
	if err != nil {
		t.Fatalf("waiting for the answer to #%s: %v", button, err)
	}
	r, err := parseResult(text)
	if err != nil {
		t.Fatalf("#%s: %v", button, err)
	}
	return r
}

// cookies returns the cookies Chromium holds for the application, on every
// path, sorted by name.
func (b *browser) cookies(t *testing.T) []*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/", b.base + refreshPath}})
	if err != nil {
		t.Fatalf("Network.getCookies: %v", err)
	}
	slices.SortFunc(res.Cookies, func(x, y *network.Cookie) int { return strings.Compare(x.Name, y.Name) })
	return res.Cookies
}

func (b *browser) cookieNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, c := range b.cookies(t) {
		names = append(names, c.Name)
	}
	return names
}

func (b *browser) saveCookies(t *testing.T) { b.saved = b.cookies(t) }

func (b *browser) restoreCookies(t *testing.T) {
	t.Helper()
	var params []*network.CookieParam
	for _, c := range b.saved {
		params = append(params, &network.CookieParam{
			Name: c.Name, Value: c.Value, URL: b.base + c.Path, Path: c.Path,
			Secure: c.Secure, HTTPOnly: c.HTTPOnly, SameSite: c.SameSite,
		})
	}
	if _, err := chromedp.Call(b.ctx, network.SetCookies, network.SetCookiesParams{Cookies: params}); err != nil {
		t.Fatalf("Network.setCookies: %v", err)
	}
}

func (b *browser) expireAccessCookies(t *testing.T) {
	t.Helper()
	for _, name := range []string{accessCookie, accessCSRFCookie} {
		if _, err := chromedp.Call(b.ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: b.base + "/"}); err != nil {
			t.Fatalf("Network.deleteCookies: %v", err)
		}
	}
}

// cookieAttrs are the attributes of a cookie that the test checks.
type cookieAttrs struct {
	Path     string
	HTTPOnly bool
	Secure   bool
	SameSite network.CookieSameSite
}

// checkLoginCookies proves in the browser that the page's script sees the
// CSRF cookies and not the tokens, and that Chromium stored each cookie
// with the attributes the server set.
func (b *browser) checkLoginCookies(t *testing.T) {
	t.Helper()
	visible, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](
		`document.cookie.split("; ").map(c => c.slice(0, c.indexOf("="))).sort()`))
	if err != nil {
		t.Fatalf("reading document.cookie: %v", err)
	}
	if diff := cmp.Diff([]string{accessCSRFCookie, refreshCSRFCookie}, visible); diff != "" {
		t.Errorf("cookies in document.cookie (-want +got):\n%s", diff)
	}
	got := map[string]cookieAttrs{}
	for _, c := range b.cookies(t) {
		got[c.Name] = cookieAttrs{Path: c.Path, HTTPOnly: c.HTTPOnly, Secure: c.Secure, SameSite: c.SameSite}
	}
	lax := network.CookieSameSiteLax
	want := map[string]cookieAttrs{
		accessCookie:      {Path: "/", HTTPOnly: true, Secure: true, SameSite: lax},
		refreshCookie:     {Path: refreshPath, HTTPOnly: true, Secure: true, SameSite: lax},
		accessCSRFCookie:  {Path: "/", HTTPOnly: false, Secure: true, SameSite: lax},
		refreshCSRFCookie: {Path: "/", HTTPOnly: false, Secure: true, SameSite: lax},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cookies in Chromium (-want +got):\n%s", diff)
	}
}

// TestBrowser runs the session scenario in a real headless Chromium,
// through the page's buttons and script, over HTTPS with the secure cookie
// defaults.
func TestBrowser(t *testing.T) {
	t.Parallel()
	chromiumPath(t) // skip or fail before starting anything
	srv := newTestServer(t, testutil.NewClock(testStart()))
	b := newBrowser(t, srv.URL, srv.Certificate())
	start := time.Now()
	sessionScenario(t, b, func() { b.checkLoginCookies(t) })
	t.Logf("scenario took %v in Chromium", time.Since(start).Round(time.Millisecond))
}
