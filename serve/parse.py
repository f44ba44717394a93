"""Request bodies into documents, or into the error that says why not.

A request-level fault (no body, a body that is not UTF-8 or JSON, a batch
over the limit) raises `InvalidInput` or `Problem` and fails the request. In
a batch, a document that is wrong on its own becomes an error entry in its
place (`winnow.inputs.item_from_json`), and the rest go on.
"""
from __future__ import annotations

import codecs
from typing import Iterator

from flask import Request
from gunicorn.http.errors import ParseException
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from serve.errors import Problem
from serve.settings import Settings
from winnow.document import LINES, Document
from winnow.inputs import (InvalidInput, Item, confidence_threshold, decode_text, document_from_json, item_from_json,
                           item_from_line, json_value, paragraph_split)

JSON = "application/json"
NDJSON = "application/x-ndjson"
TEXT = "text/plain"
HTML = "text/html"
DRAINED_TIMES_THE_LIMIT = 4
"""Once a body is known to be over the limit, up to this many times the limit more of it is read
and thrown away before the 413 is sent: a client that sends its whole body before it reads the
answer (Python's urllib and http.client do) then gets the answer instead of a broken pipe. A body
declared bigger than that is not read on: the connection is closed on it."""
DRAIN_CHUNK = 1 << 16


def body(request: Request, accepted: tuple[str, ...]) -> bytes:
    """The whole body, once it is known to be non-empty and of an accepted media type.

    Reading it first enforces the body limit and drains the connection before
    any answer. Werkzeug raises 413 itself for a Content-Length over the limit,
    but cuts a chunked body at the limit without a word: one more byte after
    the limit tells that it was too large.
    """
    try:
        try:
            data = request.get_data(cache=False)
            if request.content_length is None and len(data) >= request.max_content_length \
                    and request.input_stream.read(1):
                raise RequestEntityTooLarge()
        except RequestEntityTooLarge:
            _drain(request)
            raise
    except (ClientDisconnected, OSError):  # the socket's receive timeout (serve.main.limit_silence)
        raise Problem(408, "request_timeout", "the body stopped arriving before it was complete; "
                      "send the whole body without pausing") from None
    except ParseException as error:  # gunicorn reads a chunked body only as it is asked for it
        raise Problem(400, "invalid_chunked_body", f"the body's chunked transfer coding is broken "
                      f"({type(error).__name__}: {error}); send it with a Content-Length, or as valid chunks") from None
    if not data:
        raise InvalidInput("empty_body", f"the request has no body; send {_either(accepted)}")
    if request.mimetype not in accepted:
        raise Problem(415, "unsupported_media_type", _unsupported(request.mimetype, accepted))
    charset = request.mimetype_params.get("charset") or "utf-8"
    if request.mimetype == TEXT and not _is_utf8(charset):  # JSON is UTF-8 whatever it says (RFC 8259)
        raise Problem(415, "unsupported_charset", f"the body is declared as {charset}; send it as UTF-8 "
                      f"(for example, iconv -f {charset} -t UTF-8)")
    if codings := _codings(request):
        raise Problem(415, "unsupported_content_encoding", f"the body is encoded as {', '.join(codings)}; "
                      "send it uncompressed")
    return data


def _codings(request: Request) -> list[str]:
    """The codings the body was sent in, as content or transfer codings, other than none and chunked
    (which the server has undone)."""
    named = f"{request.content_encoding or ''},{request.headers.get('Transfer-Encoding', '')}"
    return [coding for coding in (part.strip().lower() for part in named.split(","))
            if coding not in ("", "identity", "chunked")]


def _drain(request: Request) -> None:
    """Read on in a body over the limit and throw it away, `DRAINED_TIMES_THE_LIMIT` times the limit
    at most; a client that stops sending only ends it early: the 413 is sent all the same."""
    most = DRAINED_TIMES_THE_LIMIT * request.max_content_length
    if (request.content_length or 0) > most:
        return
    try:
        while most > 0 and (chunk := request.input_stream.read(min(DRAIN_CHUNK, most))):
            most -= len(chunk)
    except (ClientDisconnected, OSError, ParseException):
        pass


def _is_utf8(charset: str) -> bool:
    """Whether text in `charset` is read as it is: UTF-8, or ASCII, its subset, by any of their names."""
    try:
        return codecs.lookup(charset).name in ("utf-8", "ascii")
    except LookupError:
        return False


QUERY_PARAMETERS = ("flag_below", "split")


def check_query(request: Request) -> None:
    """Refuse a query parameter the API does not have, or one given twice: a misspelt ``flag-below``
    ignored would look like a result with nothing to flag."""
    for name in request.args:
        if name not in QUERY_PARAMETERS:
            raise InvalidInput("unknown_parameter", f"there is no query parameter {name!r}; "
                                                    f"there are {' and '.join(QUERY_PARAMETERS)}")
        if len(request.args.getlist(name)) > 1:
            raise InvalidInput("repeated_parameter", f"the query parameter {name!r} is given more than once")


def flag_below(request: Request) -> float | None:
    """The `flag_below` query parameter: the confidence under which paragraphs are flagged, if asked for."""
    raw = request.args.get("flag_below")
    return None if raw is None else confidence_threshold(raw)


def split(request: Request) -> str:
    """The `split` query parameter: how plain text is parted into paragraphs (`Document.from_text`)."""
    return paragraph_split(request.args.get("split", LINES))


def document(data: bytes, mimetype: str, settings: Settings, split: str = LINES) -> Document:
    """The one document of a JSON object or of plain text (the same as ``{"text": body}``)."""
    obj = json_value(data) if mimetype == JSON else {"text": decode_text(data)}
    return document_from_json(obj, settings.max_paragraphs, split)


def json_batch(data: bytes, settings: Settings, split: str = LINES) -> list[Item]:
    """The items of ``{"documents": [...]}``, in order."""
    obj = json_value(data)
    if not isinstance(obj, dict) or not isinstance(obj.get("documents"), list):
        raise InvalidInput("invalid_batch", 'a batch must be a JSON object {"documents": [...]}')
    _check_count(len(obj["documents"]), settings.max_documents)
    return [item_from_json(entry, settings.max_paragraphs, split) for entry in obj["documents"]]


def ndjson_batch(data: bytes, settings: Settings, split: str = LINES) -> Iterator[Item]:
    """The items of one JSON document per line (blank lines skipped), parsed as they are read.

    Lines are split on ``\\n`` alone: U+2028 and friends may stand inside a
    JSON string. The lines are counted before the first is parsed, so that a
    batch over the limit fails whole, before any result is streamed.
    """
    lines = [(number, line) for number, line in enumerate(data.split(b"\n"), 1) if line.strip()]
    _check_count(len(lines), settings.max_documents)
    return (item_from_line(number, line, settings.max_paragraphs, split) for number, line in lines)


def _check_count(count: int, limit: int) -> None:
    if count > limit:
        raise InvalidInput("too_many_documents", f"the batch has {count} documents; the limit is {limit}")


def _either(accepted: tuple[str, ...]) -> str:
    return " or ".join(accepted)


def _unsupported(mimetype: str, accepted: tuple[str, ...]) -> str:
    if mimetype == HTML:
        return (f"HTML input is not supported yet; send the page's text as {TEXT}, "
                f'or {JSON} with "text" or "paragraphs"')
    sent = f"the body is {mimetype}" if mimetype else "the request has no Content-Type"
    return f"{sent}; send {_either(accepted)}"
