package redisstore

import "strings"

// The store's keys, below its prefix. Each carries a Redis Cluster hash
// tag, so that every script touches one slot and the keys of different
// families and subjects spread over the cluster's nodes:
//
//	{f:<family>}          "c" nonce current: live, current is the token
//	                      that may rotate next; "r" [nonce]: revoked
//	{f:<family>}:jti:<id> "1" while a token of the family is revoked
//	{j:<id>}              "1" while a token without family is revoked
//	{s:<subject>}         the subject's cutoff, a stamp (see stamp)
//	{epoch}               the data-loss cutoff, a stamp, or "-" for none
//	{e<n>}                on a cluster, the same for one hash slot
//
// nonce is 32 hex digits, random per Start or Rotate call. A client that
// loses a reply resends the command (go-redis does, MaxRetries times); the
// nonce lets the script recognise its own earlier run and answer as it
// did, so that a retried rotation does not read as a reuse of its own from.
const famRevoked = "r" // first byte of a revoked family's value

// noLoss is the marker of a store whose data-loss cutoff was lifted.
const noLoss = "-"

// familyKey returns the key of family fam.
func (s *Store) familyKey(fam string) string { return s.cfg.prefix + "{f:" + fam + "}" }

// jtiKey returns the key of a revoked token id of family fam (or none), in
// the family's slot so that Revoke touches one slot.
func (s *Store) jtiKey(id, fam string) string {
	if fam != "" {
		return s.familyKey(fam) + ":jti:" + id
	}
	return s.cfg.prefix + "{j:" + id + "}"
}

// subjectKey returns the key of subject's cutoff.
func (s *Store) subjectKey(sub string) string { return s.cfg.prefix + "{s:" + sub + "}" }

// hasHashTag reports whether Redis Cluster hashes every key that starts
// with prefix by a part of prefix: a non-empty {…} in it.
func hasHashTag(prefix string) bool {
	i := strings.IndexByte(prefix, '{')
	return i >= 0 && strings.IndexByte(prefix[i+1:], '}') > 0
}

// lossScript returns the data-loss cutoff, and sets it to ARGV[1] when the
// marker is missing: Redis has lost its data since the marker was written
// (or the store was never used).
const lossScript = `
local v = redis.call('GET', KEYS[1])
if v then
	return v
end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`

// Results of startScript and rotateScript.
const (
	rotated = 0
	reused  = 1
	revoked = 2
	unknown = 3
)

// startScript records a new family unless it exists. A retry of the same
// start (same nonce) or a start with the family's current token succeeds.
//
// KEYS[1]: the family key. ARGV: nonce, first, and the TTL in ms (-1: no
// expiry).
const startScript = `
local state = redis.call('GET', KEYS[1])
local nonce, first = ARGV[1], ARGV[2]
if state then
	if string.sub(state, 1, 1) == 'c' and (string.sub(state, 2, 33) == nonce or string.sub(state, 34) == first) then
		return 0
	end
	return 1
end
local ttl = tonumber(ARGV[3])
if ttl < 0 then
	redis.call('SET', KEYS[1], 'c' .. nonce .. first)
else
	redis.call('SET', KEYS[1], 'c' .. nonce .. first, 'PX', ttl)
end
return 0
`

// rotateScript is Rotate's compare-and-set. Redis runs a script atomically:
// no other command runs between its GET and its SET, so of two rotations
// from the same token exactly one finds it current.
//
// KEYS[1]: the family key. ARGV: nonce, from, to, and the TTL in ms that
// the family key keeps at least after a rotation (-1: no expiry).
const rotateScript = `
local state = redis.call('GET', KEYS[1])
local nonce, from, to = ARGV[1], ARGV[2], ARGV[3]
if not state then
	return 3
end
local kind = string.sub(state, 1, 1)
if string.sub(state, 2, 33) == nonce then
	if kind == 'r' then
		return 1
	end
	return 0
end
if kind == 'r' then
	return 2
end
if string.sub(state, 34) ~= from then
	redis.call('SET', KEYS[1], 'r' .. nonce, 'KEEPTTL')
	return 1
end
local ttl = tonumber(ARGV[4])
local left = redis.call('PTTL', KEYS[1])
if ttl < 0 or left == -1 then
	redis.call('SET', KEYS[1], 'c' .. nonce .. to)
	return 0
end
if left > ttl then
	ttl = left
end
redis.call('SET', KEYS[1], 'c' .. nonce .. to, 'PX', ttl)
return 0
`

// revokeScript revokes a token and, when KEYS[2] is given, its family,
// in one step.
//
// KEYS[1]: the jti key; KEYS[2] (optional): the family key. ARGV: the jti
// key's TTL in ms (0: the token has expired, store nothing; -1: the token
// never expires, nor does the key), and the TTL in ms the family key keeps
// at least.
const revokeScript = `
local ttl = tonumber(ARGV[1])
local had = redis.call('PTTL', KEYS[1])
if ttl < 0 or had == -1 then
	redis.call('SET', KEYS[1], '1')
elseif ttl > 0 then
	if had > ttl then
		ttl = had
	end
	redis.call('SET', KEYS[1], '1', 'PX', ttl)
end
if #KEYS == 2 then
	local fam = tonumber(ARGV[2])
	local left = redis.call('PTTL', KEYS[2])
	if left == -1 then
		redis.call('SET', KEYS[2], 'r', 'KEEPTTL')
		return 0
	end
	if left > fam then
		fam = left
	end
	redis.call('SET', KEYS[2], 'r', 'PX', fam)
end
return 0
`

// revokeSubjectScript keeps the later of the stored and the new cutoff,
// and the longer of the two TTLs, so a cutoff never moves back. Stamps are
// 20 digits, beyond the 53 bits a Lua number holds exactly, so they are
// compared in two halves of 10 digits.
//
// KEYS[1]: the subject key. ARGV: the new cutoff stamp, and the TTL in ms
// the key keeps at least (a key without expiry keeps none).
const revokeSubjectScript = `
local new = ARGV[1]
local old = redis.call('GET', KEYS[1])
if old and string.len(old) == 20 then
	local oh, nh = tonumber(string.sub(old, 1, 10)), tonumber(string.sub(new, 1, 10))
	if oh > nh or (oh == nh and tonumber(string.sub(old, 11)) > tonumber(string.sub(new, 11))) then
		new = old
	end
end
local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left == -1 then
	redis.call('SET', KEYS[1], new, 'KEEPTTL')
	return 0
end
if left > ttl then
	ttl = left
end
redis.call('SET', KEYS[1], new, 'PX', ttl)
return 0
`
