package httpx_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestRequireStepUp(t *testing.T) {
	t.Parallel()
	s := newResourceServer(t)
	const refused = `Bearer realm="api", error="insufficient_user_authentication", error_description="stronger or more recent authentication required"`
	const msg = "stronger or more recent authentication required"
	authAt := func(ago time.Duration) string { return fmt.Sprintf(`"auth_time":%d`, rsEpoch.Add(-ago).Unix()) }
	for _, tc := range []struct {
		name   string
		need   httpx.StepUp
		claims []string
		want   rsAnswer
	}{
		{name: "recent enough", need: httpx.StepUp{MaxAge: 5 * time.Minute}, claims: []string{authAt(5 * time.Minute)}, want: rsAnswer{Status: 200}},
		{name: "a second too old", need: httpx.StepUp{MaxAge: 5 * time.Minute}, claims: []string{authAt(5*time.Minute + time.Second)},
			want: rsAnswer{Status: 401, Challenge: refused + `, max_age="300"`, Msg: msg}},
		{name: "no auth_time", need: httpx.StepUp{MaxAge: 5 * time.Minute},
			want: rsAnswer{Status: 401, Challenge: refused + `, max_age="300"`, Msg: msg}},
		{name: "acr accepted", need: httpx.StepUp{ACRValues: []string{"phr", "phrh"}}, claims: []string{`"acr":"phrh"`}, want: rsAnswer{Status: 200}},
		{name: "acr too weak", need: httpx.StepUp{ACRValues: []string{"phr", "phrh"}}, claims: []string{`"acr":"pwd"`},
			want: rsAnswer{Status: 401, Challenge: refused + `, acr_values="phr phrh"`, Msg: msg}},
		{name: "both, acr missing", need: httpx.StepUp{ACRValues: []string{"mfa"}, MaxAge: time.Minute}, claims: []string{authAt(0)},
			want: rsAnswer{Status: 401, Challenge: refused + `, acr_values="mfa", max_age="60"`, Msg: msg}},
		{name: "both met", need: httpx.StepUp{ACRValues: []string{"mfa"}, MaxAge: time.Minute}, claims: []string{authAt(0), `"acr":"mfa"`}, want: rsAnswer{Status: 200}},
		{name: "empty requirement", want: rsAnswer{Status: 403, Challenge: `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`, Msg: "forbidden"}},
		{name: "max age under a second", need: httpx.StepUp{MaxAge: time.Millisecond}, want: rsAnswer{Status: 403, Challenge: `Bearer realm="api", error="insufficient_scope", error_description="forbidden"`, Msg: "forbidden"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := rsServe(t, s.auth.RequireStepUp(tc.need)(rsOK), s.token(t, tc.claims...))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// First-party tokens carry no auth_time: a fresh one counts as an
// authentication at its iat, one that is not fresh fails any MaxAge.
func TestStepUpFirstParty(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	auth, err := httpx.New(env.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	h := auth.RequireStepUp(httpx.StepUp{MaxAge: 10 * time.Minute})(rsOK)
	fresh := env.Access(t, "alice", jwtx.AsFresh(true))
	stale := env.Access(t, "alice")
	freshFor := env.Access(t, "alice", jwtx.FreshFor(2*time.Minute))
	const refused = `Bearer realm="api", error="insufficient_user_authentication", error_description="stronger or more recent authentication required", max_age="600"`
	for _, step := range []struct {
		name    string
		advance time.Duration
		tok     jwtx.Token
		want    int
	}{
		{name: "fresh, just issued", tok: fresh, want: 200},
		{name: "not fresh", tok: stale, want: 401},
		{name: "fresh for 2 minutes, at 1", advance: time.Minute, tok: freshFor, want: 200},
		{name: "fresh for 2 minutes, at 3", advance: 2 * time.Minute, tok: freshFor, want: 401},
		{name: "fresh, at 10 minutes", advance: 7 * time.Minute, tok: fresh, want: 200},
		{name: "fresh, at 10 minutes and a second", advance: time.Second, tok: fresh, want: 401},
	} {
		env.Clock.Advance(step.advance)
		got := rsServe(t, h, step.tok.Raw)
		if got.Status != step.want {
			t.Errorf("%s: status %d, want %d", step.name, got.Status, step.want)
		}
		if step.want == 401 && got.Challenge != refused {
			t.Errorf("%s: challenge %s, want %s", step.name, got.Challenge, refused)
		}
	}
}

func TestStepUpCheckReason(t *testing.T) {
	t.Parallel()
	s := newResourceServer(t)
	r := testutil.BearerRequest(t, http.MethodGet, "/", s.token(t))
	_, err := s.auth.Authenticate(httptest.NewRecorder(), r, httpx.Required, s.auth.StepUpCheck(httpx.StepUp{ACRValues: []string{"mfa"}}))
	var se *httpx.StepUpError
	if !errors.As(err, &se) || !errors.Is(err, httpx.ErrStepUp) {
		t.Fatalf("Authenticate() = %v, want a *StepUpError", err)
	}
	if got := httpx.ReasonOf(err); got != httpx.ReasonStepUp {
		t.Errorf("ReasonOf() = %q, want %q", got, httpx.ReasonStepUp)
	}
	if httpx.ReasonStepUp.Status() != http.StatusUnauthorized || httpx.ReasonInsufficientScope.Status() != http.StatusForbidden {
		t.Errorf("statuses: step_up %d, insufficient_scope %d", httpx.ReasonStepUp.Status(), httpx.ReasonInsufficientScope.Status())
	}
}
