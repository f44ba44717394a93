"""Every error the service sends is an RFC 9457 problem with a stable `code`.

``{"type": "about:blank", "title", "status", "detail", "code"}`` as
``application/problem+json``: `title` is the HTTP status phrase (as RFC 9457
asks for ``about:blank``), `detail` says what to change, and `code` is what
clients should branch on. Input errors from the core (`InvalidInput`) keep
their code; werkzeug's own errors (404, 405, 413, ...) get one here, and so
do the requests gunicorn cannot parse and answers itself (`write_problem`).
Unexpected exceptions are logged with their traceback and answered with a
plain 500: a client never sees a stack trace.
"""
from __future__ import annotations

import json
import logging
import socket
from http import HTTPStatus
from typing import Any, Mapping

from flask import Flask, Response, current_app, g, request
from gunicorn import util as gunicorn_util
from werkzeug.exceptions import HTTPException

from winnow.inputs import InvalidInput

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Input codes that mean the body could not be read at all (400) or asks for
# more than the limits allow (413). Every other input code is a body that was
# read but has the wrong content (422).
STATUS_BY_CODE = {
    "empty_body": 400,
    "invalid_json": 400,
    "invalid_utf8": 400,
    "binary_content": 400,
    "invalid_unicode": 400,
    "invalid_threshold": 400,
    "invalid_split": 400,
    "unknown_parameter": 400,
    "repeated_parameter": 400,
    "too_many_paragraphs": 413,
    "too_many_documents": 413,
}

CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    414: "request_line_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    431: "headers_too_large",
    500: "internal_error",
    501: "not_implemented",
}

log = logging.getLogger(__name__)


class Problem(Exception):
    """Raise anywhere while handling a request to answer with this problem."""

    def __init__(self, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})


def problem_body(status: int, code: str, detail: str) -> dict[str, Any]:
    """The problem details (RFC 9457) every error is answered with."""
    return {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail,
            "code": code}


def problem_response(status: int, code: str, detail: str,
                     headers: Mapping[str, str] | None = None) -> Response:
    """The problem+json response; its code is kept on `g` for the access log and metrics."""
    g.error_code = code
    response = current_app.json.response(problem_body(status, code, detail))
    response.status_code = status
    response.mimetype = PROBLEM_MEDIA_TYPE
    response.headers.update(headers or {})
    return response


def register(app: Flask) -> None:
    """Answer every error of `app` with a problem."""

    @app.errorhandler(Problem)
    def handle_problem(error: Problem) -> Response:
        return problem_response(error.status, error.code, error.detail, error.headers)

    @app.errorhandler(InvalidInput)
    def handle_invalid_input(error: InvalidInput) -> Response:
        return problem_response(STATUS_BY_CODE.get(error.code, 422), error.code, error.detail)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException) -> Response:
        status = error.code or 500
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        code = CODE_BY_STATUS.get(status) or error.name.lower().replace(" ", "_")
        return problem_response(status, code, _detail(error), headers)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error in %s %s (request id %s)", request.method, request.path,
                      g.access["request_id"])
        return problem_response(500, "internal_error",
                                "the server failed to handle this request; the error has been logged")


def _detail(error: HTTPException) -> str:
    """A message that says what to do instead, for the errors clients meet most."""
    if error.code == 404:
        return f"there is nothing at {request.path}; the API is described at /openapi.json"
    if error.code == 405:
        allowed = ", ".join(getattr(error, "valid_methods", None) or ())
        return f"{request.method} is not allowed on {request.path}; use {allowed}"
    if error.code == 413:
        return (f"the body is larger than the limit of {current_app.config['MAX_CONTENT_LENGTH']} bytes; "
                "split the input into smaller requests")
    return error.description or HTTPStatus(error.code or 500).phrase


def write_problem(sock: socket.socket, status: int, reason: str, message: str) -> None:
    """What gunicorn sends for a request it cannot parse (a bad Content-Length, a request line or
    headers over its limits), as a problem: it takes the place of `gunicorn.util.write_error`, which
    writes an HTML page (`serve.main.Server`)."""
    code = CODE_BY_STATUS.get(status) or reason.lower().replace(" ", "_")
    body = json.dumps({**problem_body(status, code, message or reason), "title": reason}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_MEDIA_TYPE}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    gunicorn_util.write_nonblock(sock, head.encode("latin-1") + body)
