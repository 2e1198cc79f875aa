"""PyJWT side of testutil.PyJWT (pyjwt.go), for interoperability tests.

Reads one JSON request from standard input and writes one JSON answer:

  {"op": "sign", "alg": ..., "key": ..., "claims": {...}}
      -> {"token": "..."}: PyJWT's default header ({"alg", "typ": "JWT"}), as
         flask-jwt-extended writes it.
  {"op": "verify", "alg": ..., "key": ..., "token": "..."}
      -> {"ok": true, "claims": {...}} or {"ok": false, "error": "..."}

Keys are PEM text (PKCS#8 private, SPKI public) or, for HMAC, hex. Times are
not checked here: the Go side runs on a fixed clock, and checks them itself.
"""

import json
import sys

import jwt


def key_of(alg, text):
    if alg.startswith("HS"):
        return bytes.fromhex(text)
    return text.encode()


def main():
    req = json.load(sys.stdin)
    key = key_of(req["alg"], req["key"])
    if req["op"] == "sign":
        token = jwt.encode(req["claims"], key, algorithm=req["alg"])
        json.dump({"token": token}, sys.stdout)
        return
    try:
        claims = jwt.decode(
            req["token"],
            key,
            algorithms=[req["alg"]],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
        json.dump({"ok": True, "claims": claims}, sys.stdout)
    except jwt.PyJWTError as e:
        json.dump({"ok": False, "error": type(e).__name__}, sys.stdout)


if __name__ == "__main__":
    main()
