// Package redisstore is a [jwtx.RevocationStore] and [jwtx.RotationStore]
// kept in Redis, for applications that run more than one process, or that
// must remember revocations across restarts: logout, "log out everywhere"
// and refresh-token rotation with reuse detection then work whichever
// process a request reaches. It is a module of its own, so that jwtx keeps
// no Redis dependency.
//
// Switching from jwtx.MemoryStore takes one line; the store goes where the
// memory store went:
//
//	store, err := redisstore.New(redis.NewClient(&redis.Options{Addr: "localhost:6379"}))
//	if err != nil {
//		return err
//	}
//	ver, err := jwtx.NewVerifier[User, Claims](keys, jwtx.WithRevocation(store))
//	…
//	auth, err := httpx.New(ver, httpx.WithRotation(store), httpx.WithRevoker(store))
//
// # Keys and expiry
//
// Below a prefix ([WithPrefix], default "jwtx:") the store writes three
// kinds of keys, each of which expires when it can no longer matter:
//
//	jti:<id>        a revoked token, until the token's exp
//	sub:<subject>   a "log out everywhere" cutoff, for the longest token
//	                lifetime (WithMaxTokenLifetime)
//	fam:<family>    a refresh-token family, live or revoked, until its
//	                last token expires
//
// A token that never expires (jwtx.WithExpiryRequired(false)) keeps its
// jti key for good; a family revoked through such a token keeps its key
// for the store's maximum token lifetime. TTLs are computed with the
// store's clock ([WithClock]); Redis then expires the keys by its own.
//
// # Cost
//
// [Store.Revoked], which a Verifier calls for every token, reads the three
// keys of the token with one MGET: one command, one round trip, no script.
// Revoke, RevokeSubject and Rotate each run one Lua script: one round trip
// as well (two the first time after Redis has lost its script cache).
//
// # Atomicity
//
// Rotate is a compare-and-set in one Lua script, which Redis runs with no
// other command in between: of two refreshes with the same token exactly
// one succeeds, and the other revokes the family ([jwtx.ErrReused]). A
// rotation resent by go-redis after a lost reply is recognised by a nonce
// and answered as the first time, instead of being taken for a reuse.
// Revoke revokes a token and its family in one script; RevokeSubject moves
// a cutoff only forward, in one script.
//
// # Failure
//
// Every Redis error is returned wrapped. A Verifier then refuses the token
// with [jwtx.ErrRevocationUnavailable], and httpx answers 503 for both the
// protected routes and the refresh endpoint: nothing gets through while
// Redis is unreachable. The Store holds no connection state of its own;
// the go-redis client reconnects when Redis comes back, with no restart of
// the application. Give the client short timeouts (and the requests a
// deadline), since a revocation check sits on every request's path.
//
// Redis must persist its data (appendonly yes, or RDB snapshots at least):
// a Redis that restarts empty has forgotten every revocation and every
// family, so revoked tokens are accepted again until they expire.
//
// # Redis Cluster
//
// Revoked's MGET and the scripts touch keys of one token, one subject and
// one family, which Redis Cluster refuses unless they share a hash slot.
// With a *redis.ClusterClient, use a prefix with a hash tag, such as
// "{jwtx}:" ([New] refuses one without): all of the store's keys then live
// in one slot, on one shard.
//
// The store needs Redis 6.0 or later (SET … KEEPTTL).
package redisstore
