package demotest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// answering returns a handler that answers with status and body.
func answering(status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

func TestDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		want      Response
		wantFatal bool
	}{
		{
			name:   "tokens",
			status: http.StatusOK,
			body:   `{"access_token": "eyJ.a.b", "reports_token": "eyJ.c.d", "token_type": "Bearer", "expires_in": 900}`,
			want: Response{http.StatusOK, map[string]any{
				"access_token": "<access_token>", "reports_token": "<reports_token>", "token_type": "Bearer", "expires_in": 900.0,
			}},
		},
		{
			name:   "claims",
			status: http.StatusOK,
			body:   `{"sub": "u-1001", "jti": "b3f1", "exp": 1778052189}`,
			want:   Response{http.StatusOK, map[string]any{"sub": "u-1001", "jti": "<jti>", "exp": 1778052189.0}},
		},
		{
			name:   "empty and non-string values stay",
			status: http.StatusOK,
			body:   `{"access_token": "", "jti": 7, "reports_token": null}`,
			want:   Response{http.StatusOK, map[string]any{"access_token": "", "jti": 7.0, "reports_token": nil}},
		},
		{
			name:   "error",
			status: http.StatusUnauthorized,
			body:   `{"msg": "missing token"}`,
			want:   Response{http.StatusUnauthorized, map[string]any{"msg": "missing token"}},
		},
		{name: "not JSON", status: http.StatusOK, body: `hello`, wantFatal: true},
		{name: "not an object", status: http.StatusOK, body: `["hello"]`, wantFatal: true},
		{name: "empty", status: http.StatusNoContent, wantFatal: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got Response
			failed := fatal(t, func(tb testing.TB) {
				got = Do(tb, answering(tc.status, tc.body), httptest.NewRequest(http.MethodGet, "/", nil))
			})
			if failed != tc.wantFatal {
				t.Fatalf("Do failed the test: %t, want %t", failed, tc.wantFatal)
			}
			if tc.wantFatal {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Do mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
