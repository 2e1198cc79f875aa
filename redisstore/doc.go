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
//	store, err := redisstore.New(redis.NewClient(&redis.Options{
//		Addr:                  "localhost:6379",
//		ReadTimeout:           200 * time.Millisecond,
//		WriteTimeout:          200 * time.Millisecond,
//		ContextTimeoutEnabled: true,
//		MaxRetries:            1,
//	}))
//	if err != nil {
//		return err
//	}
//	iss, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithRotation(store))
//	ver, err := jwtx.NewVerifier[User, Claims](keys, jwtx.WithRevocation(store))
//	…
//	auth, err := httpx.New(ver, httpx.WithRotation(store), httpx.WithRevoker(store))
//
// # Keys and expiry
//
// Below a prefix ([WithPrefix], default "jwtx:") the store writes these
// keys, each of which expires when it can no longer matter: when no token
// it covers can verify, that is past its exp plus [jwtx.MaxLeeway]:
//
//	{f:<family>}            a refresh-token family, live or revoked, until
//	                        its last token expires
//	{f:<family>}:jti:<id>   a revoked token of the family, until its exp
//	{j:<id>}                a revoked token without family, until its exp
//	{s:<subject>}           a "log out everywhere" cutoff, for the longest
//	                        token lifetime (WithMaxTokenLifetime)
//	{epoch}                 the data-loss marker of a single Redis, for good
//	{e<n>}                  on a cluster, the data-loss marker of one hash
//	                        slot (16,384 of them, written by Check)
//
// A token that never expires (jwtx.WithExpiryRequired(false)) keeps its
// jti key for good; a family revoked through such a token keeps its key
// for the store's maximum token lifetime. TTLs are computed with the
// store's clock ([WithClock]); Redis then expires the keys by its own.
//
// # Cost
//
// [Store.Revoked], which a Verifier calls for every token, reads the
// token's keys and the marker with one MGET on a single Redis, or one
// pipeline of GETs on a cluster: one round trip per node involved, no
// script. Start, Revoke, RevokeSubject and Rotate each run one Lua script
// on one slot: one round trip as well (two the first time after Redis has
// lost its script cache).
//
// # Atomicity
//
// Rotate is a compare-and-set in one Lua script, which Redis runs with no
// other command in between: of two refreshes with the same token exactly
// one succeeds, and the other revokes the family ([jwtx.ErrReused]). A
// family the store never started (or has lost) is refused, never taken for
// a new one. A rotation resent by go-redis after a lost reply is
// recognised by a nonce and answered as the first time, instead of being
// taken for a reuse. Revoke revokes a token and its family in one script;
// RevokeSubject moves a cutoff only forward, in one script.
//
// # Failure
//
// Every Redis error is returned wrapped. A Verifier then refuses the token
// with [jwtx.ErrRevocationUnavailable], and httpx answers 503 for both the
// protected routes and the refresh endpoint: nothing gets through while
// Redis is unreachable. Every call has a deadline of its own
// ([WithTimeout]) and a bound on the calls waiting at once
// ([WithMaxInFlight], past which a call fails at once with [ErrBusy]), so
// a hung Redis turns into fast refusals whatever the client's timeouts.
// The go-redis client reconnects when Redis comes back, with no restart
// of the application.
//
// [Store.Check], run by the first call, refuses a Redis whose
// maxmemory-policy evicts keys (every key has a TTL, so volatile-*
// policies evict them too), unless [WithAllowEviction] accepts it.
//
// Redis must persist its data (appendonly yes). A Redis that comes back
// empty has forgotten every revocation: the store sees its marker gone and
// refuses every token issued before that, until they expire, so nothing
// revoked comes back. On a cluster each hash slot has a marker of its own,
// on the master that holds the slot, so the loss of one master is seen by
// the checks of the tokens whose records lived there. [Store.ForgiveLoss] lifts that cutoff;
// [WithLossDetection] turns the marker off.
//
// # Clients and Redis Cluster
//
// New takes a *redis.Client (from redis.NewClient or
// redis.NewFailoverClient) or a *redis.ClusterClient, and refuses any
// other client: a *redis.Ring moves keys when a shard goes down, which
// would forget revocations. On a cluster, each key's hash tag names its
// family, subject or token, so the keys spread over the masters and each
// script stays in one slot; a check reads, with each record, the marker of
// its slot, on the same master. A prefix with a hash tag of its own
// ("{jwtx}:") puts every key in one slot, on one master, instead.
//
// The store needs Redis 6.0 or later (SET … KEEPTTL).
package redisstore
