"""Optional API keys: ``Authorization: Bearer <key>`` when any key is configured."""
from __future__ import annotations

import hmac
from typing import Collection

from flask import Flask, request

from serve.errors import Problem


def register(app: Flask, keys: Collection[str], open_endpoints: Collection[str]) -> None:
    """Refuse requests without one of `keys`, except to `open_endpoints`; no keys, no check."""
    if not keys:
        return
    known = [key.encode() for key in keys]

    @app.before_request
    def require_key() -> None:
        if request.endpoint in open_endpoints:
            return
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not _is_known(token.strip().encode(), known):
            raise Problem(401, "unauthorized",
                          "this server needs an API key: send the header 'Authorization: Bearer <key>'",
                          headers={"WWW-Authenticate": 'Bearer realm="winnow"'})


def _is_known(token: bytes, known: list[bytes]) -> bool:
    """Compare with every key in constant time, so timing tells neither the key nor which one matched."""
    matches = [hmac.compare_digest(token, key) for key in known]
    return any(matches)
