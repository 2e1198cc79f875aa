package jose

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// FetchSet fetches the JWK Set document at url with client and parses it.
// Any status but 200 OK is an error, and so is a document larger than
// maxSize bytes, with or without a Content-Length. Bounding the fetch in
// time and refusing redirects is the client's job.
func FetchSet(ctx context.Context, client *http.Client, url string, maxSize int64) (JWKSet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("JWKS endpoint answered status %d", resp.StatusCode)
	}
	if resp.ContentLength > maxSize {
		return nil, fmt.Errorf("JWKS of %d bytes exceeds the limit of %d", resp.ContentLength, maxSize)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > maxSize {
		return nil, fmt.Errorf("JWKS larger than the limit of %d bytes", maxSize)
	}
	return ParseSet(body)
}
