package jwtx

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// The well-known paths of provider metadata.
const (
	// oidcDiscoveryPath is appended to the issuer (OpenID Connect
	// Discovery 1.0 §4).
	oidcDiscoveryPath = "/.well-known/openid-configuration"
	// oauthMetadataPath is inserted between the issuer's host and its path
	// (RFC 8414 §3).
	oauthMetadataPath = "/.well-known/oauth-authorization-server"
	// maxMetadataSize bounds a metadata document, whatever WithJWKSMaxSize
	// says: real ones are a few KiB.
	maxMetadataSize = 256 << 10
)

// DiscoverKeySet finds the JWKS of an OAuth 2.0 or OpenID Connect issuer
// from its metadata, and returns a [RemoteKeySet] for it, as
// [NewRemoteKeySet] does with the jwks_uri found.
//
// It reads the issuer's OpenID Connect Discovery document
// (issuer + "/.well-known/openid-configuration"), and, if that answers 404,
// its RFC 8414 authorization server metadata ("/.well-known/oauth-authorization-server"
// inserted before the issuer's path). The document's issuer must equal
// issuer byte for byte (no trailing-slash or case normalisation), so a
// document of another issuer, or a document served for a mistyped one,
// never supplies keys; its jwks_uri must be https. Both documents and the
// key set are fetched with the same options: https only unless
// [WithJWKSAllowHTTP] (for loopback tests), no redirect to another
// origin, the [WithJWKSTimeout] per fetch, and at most 256 KiB per
// metadata document.
//
// Discovery runs once: the jwks_uri found stays in use for the life of the
// set, and the set refreshes itself as any RemoteKeySet does. Errors wrap
// [ErrJWKS], and also [ErrIssuer] when the document names another issuer;
// ErrConfig for an issuer that is not an https URL without query or
// fragment.
//
// Give the Verifier the same issuer (WithIssuer, or a [TrustedIssuer] of
// an [IssuerSet]): the keys of a provider sign whatever it issues, so the
// Verifier must still check iss and aud.
func DiscoverKeySet(ctx context.Context, issuer string, opts ...RemoteOption) (*RemoteKeySet, error) {
	cfg := defaultRemoteConfig()
	if err := applyOptions(opts, func(o RemoteOption) error { return o.applyRemote(&cfg) }); err != nil {
		return nil, err
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.User != nil ||
		(u.Scheme != "https" && !(u.Scheme == "http" && cfg.allowHTTP)) {
		return nil, fmt.Errorf("%w: issuer %q must be an https URL without query or fragment (http only with WithJWKSAllowHTTP)", ErrConfig, truncate(issuer))
	}
	client := cfg.httpClient(u)
	fetchCtx, cancel := context.WithTimeout(ctx, cfg.timeout)
	jwksURI, err := discoverJWKS(fetchCtx, client, issuer, u)
	cancel()
	if err != nil {
		return nil, err
	}
	j, err := url.Parse(jwksURI)
	if err != nil || j.Host == "" || (j.Scheme != "https" && !(j.Scheme == "http" && cfg.allowHTTP)) {
		return nil, fmt.Errorf("%w: discovery of %q: jwks_uri %q is not an https URL", ErrJWKS, truncate(issuer), truncate(jwksURI))
	}
	return NewRemoteKeySet(ctx, jwksURI, opts...)
}

// discoverJWKS reads the jwks_uri of issuer from its OpenID Connect
// Discovery document or, when there is none (404), from its RFC 8414
// metadata.
func discoverJWKS(ctx context.Context, client *http.Client, issuer string, u *url.URL) (string, error) {
	oidc := strings.TrimSuffix(issuer, "/") + oidcDiscoveryPath
	jwksURI, status, err := fetchMetadata(ctx, client, oidc, issuer)
	if status != http.StatusNotFound {
		return jwksURI, err
	}
	oauth := *u
	oauth.Path = oauthMetadataPath + strings.TrimSuffix(u.Path, "/")
	oauth.RawPath = ""
	jwksURI, _, err2 := fetchMetadata(ctx, client, oauth.String(), issuer)
	if err2 != nil {
		return "", fmt.Errorf("%w (and %w)", err, err2)
	}
	return jwksURI, nil
}

// fetchMetadata fetches one metadata document and returns its jwks_uri,
// after checking that its issuer is issuer. The status is the endpoint's
// answer, or 0 when there was none.
func fetchMetadata(ctx context.Context, client *http.Client, docURL, issuer string) (string, int, error) {
	fail := func(status int, format string, args ...any) (string, int, error) {
		return "", status, fmt.Errorf("%w: discovery of %q: "+format, append([]any{ErrJWKS, truncate(issuer)}, args...)...)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return fail(0, "%v", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fail(0, "%v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(resp.StatusCode, "%s answered status %d", docURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataSize+1))
	if err != nil {
		return fail(resp.StatusCode, "reading %s: %v", docURL, err)
	}
	if len(body) > maxMetadataSize {
		return fail(resp.StatusCode, "%s is larger than %d bytes", docURL, maxMetadataSize)
	}
	var docIssuer, jwksURI []byte
	var hasIssuer, hasJWKS bool
	err = jsonobj.Object(body, maxClaimsDepth, func(name, value []byte) error {
		var err error
		switch string(name) {
		case "issuer":
			docIssuer, err = jsonobj.String(value)
			hasIssuer = true
		case "jwks_uri":
			jwksURI, err = jsonobj.String(value)
			hasJWKS = true
		}
		return err
	})
	switch {
	case err != nil:
		return fail(resp.StatusCode, "%s is not one JSON object with string members issuer and jwks_uri", docURL)
	case !hasIssuer || string(docIssuer) != issuer:
		return "", resp.StatusCode, fmt.Errorf("%w: %w: discovery of %q: the metadata at %s names issuer %q; configure the issuer exactly as the provider writes it (trailing slash included)",
			ErrJWKS, ErrIssuer, truncate(issuer), docURL, truncate(string(docIssuer)))
	case !hasJWKS || len(jwksURI) == 0:
		return fail(resp.StatusCode, "the metadata at %s has no jwks_uri", docURL)
	}
	return string(jwksURI), resp.StatusCode, nil
}
