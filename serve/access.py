"""Request ids, the JSON access log and the request metrics.

Each request gets an id: the client's ``X-Request-ID`` when it is a sane
token, a fresh one otherwise; it is echoed in the response header. When the
response has been sent in full (streamed ones included) one JSON line goes to
stderr, ``{"time", "request_id", "method", "path", "status", "latency_ms",
"paragraphs"}`` plus ``"error"`` with the problem code of an error response.
Headers are never logged, so neither are API keys; nor is the query string.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, Response, g, request

from serve.metrics import Metrics

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

log = logging.getLogger("serve.access")


def register(app: Flask, metrics: Metrics) -> None:
    """Time, log and count every request of `app`; register before any other hook."""
    _send_to_stderr(log)

    @app.before_request
    def start() -> None:
        client_id = request.headers.get(REQUEST_ID_HEADER, "")
        g.access = {
            "request_id": client_id if _SANE_REQUEST_ID.fullmatch(client_id) else uuid.uuid4().hex,
            "started": time.perf_counter(),
            "paragraphs": 0,
        }

    @app.after_request
    def finish(response: Response) -> Response:
        entry = g.access
        response.headers[REQUEST_ID_HEADER] = entry["request_id"]
        route = request.url_rule.rule if request.url_rule else "unmatched"
        error_code = g.get("error_code")
        fields = {"request_id": entry["request_id"], "method": request.method, "path": request.path,
                  "status": response.status_code}

        def done() -> None:
            seconds = time.perf_counter() - entry["started"]
            metrics.observe_request(route, fields["method"], fields["status"], seconds, error_code)
            log.info(json.dumps({"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                                 **fields, "latency_ms": round(seconds * 1000, 1),
                                 "paragraphs": entry["paragraphs"],
                                 **({"error": error_code} if error_code else {})}))

        response.call_on_close(done)
        return response


def add_paragraphs(count: int) -> None:
    """Count paragraphs labelled for the current request's log line."""
    g.access["paragraphs"] += count


def _send_to_stderr(logger: logging.Logger) -> None:
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
