// Package oidctest tests typedjwt's resource-server mode against a real
// OpenID provider: two instances of ZITADEL's example OpenID provider
// (github.com/zitadel/oidc/v3, example/server), started by the tests on
// 127.0.0.1, issuing JWT access tokens through the client credentials
// grant. It is a module of its own so that the core module keeps depending
// on jwx and the standard library alone; it holds tests only.
package oidctest
