package httpx

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// JWKSHandler serves the public keys of src as a JWK Set, for
// /.well-known/jwks.json. Responses carry Cache-Control: public with
// max-age, and an ETag so that verifiers revalidate cheaply. Verifiers
// fetch again when a token names a kid they do not know, so a new key is
// picked up before max-age runs out. Only public halves are ever served: a
// source holding HMAC keys answers 500.
func JWKSHandler(src jwtx.PublicKeySource, maxAge time.Duration) http.Handler {
	cacheControl := "public, max-age=" + strconv.Itoa(int(max(maxAge, 0)/time.Second))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"msg": "method not allowed"})
			return
		}
		body, err := src.PublicJWKS()
		if err != nil {
			WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
			return
		}
		sum := sha256.Sum256(body)
		etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
		h := w.Header()
		h.Set("Cache-Control", cacheControl)
		h.Set("ETag", etag)
		if etagMatch(r.Header.Values("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "application/jwk-set+json")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = w.Write(body) // a failed write means the client has gone
		}
	})
}

// etagMatch applies If-None-Match (RFC 9110 §13.1.2): a list of entity tags
// or "*", compared weakly, so W/"x" matches "x".
func etagMatch(headers []string, etag string) bool {
	for _, h := range headers {
		for _, tag := range strings.Split(h, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
	}
	return false
}
