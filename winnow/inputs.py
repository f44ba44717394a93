"""Checking what users send before it becomes a `Document`.

The CLI and the service both accept a document as a JSON object with either
``text`` (plain text, split into lines, or at blank lines when asked) or
``paragraphs`` (kept as given), and an optional ``id``. Anything else is an
`InvalidInput` with a stable code. Where many documents come at once, one
that is wrong on its own becomes an error entry ``{"id", "error": {"code",
"detail"}}`` in its place, and the rest go on.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from winnow.document import LINES, Document, check_split, count_paragraphs

Item = Document | dict  # a document to label, or the error entry that stands in its place
MAX_INT_DIGITS = 1000
"""Longest whole number read from JSON (an id); Python refuses to read over 4,300 digits anyway."""


class InvalidInput(ValueError):
    """Input that cannot be segmented; `code` is stable and machine-readable."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def decode_text(body: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is dropped), or `InvalidInput`."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidInput("invalid_utf8", f"the text is not valid UTF-8 (byte {error.start})") from None
    if "\x00" in text:
        raise InvalidInput("binary_content", "the text contains NUL bytes: it looks like binary data")
    return text


def json_value(data: bytes) -> Any:
    """Parsed UTF-8 JSON; NaN, Infinity, numbers too large for a float or too long for an int, a key
    given twice in one object (which one would count?) and JSON nested too deeply are refused."""
    text = decode_text(data)
    try:
        return json.loads(text, parse_float=_finite, parse_int=_whole, parse_constant=_finite,
                          object_pairs_hook=_object_of_unique_keys)
    except RecursionError:
        raise InvalidInput("invalid_json", "the JSON is nested too deeply") from None
    except ValueError as error:
        raise InvalidInput("invalid_json", f"this is not valid JSON: {error}") from None


def _object_of_unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise ValueError(f"the key {twice!r} is given twice in one object")
    return obj


def _whole(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text.lstrip('-'))} digits is too long")
    return int(text)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def item_from_line(number: int, line: bytes, max_paragraphs: int | None = None, split: str = LINES) -> Item:
    """The document on line `number` of a JSON-lines input, or the error entry (with its line) in its place."""
    try:
        obj = json_value(line)
    except InvalidInput as error:
        return error_entry(None, error, line=number)
    return item_from_json(obj, max_paragraphs, split, line=number)


def item_from_json(obj: Any, max_paragraphs: int | None = None, split: str = LINES, **where: int) -> Item:
    """`document_from_json`, or the error entry in its place (with `where`, e.g. its line)."""
    try:
        return document_from_json(obj, max_paragraphs, split)
    except InvalidInput as error:
        return error_entry(obj, error, **where)


def error_entry(obj: Any, error: InvalidInput, **where: int) -> dict:
    """``{"id", **where, "error": {"code", "detail"}}``, the id echoed only when it is a valid one."""
    doc_id = obj.get("id") if isinstance(obj, dict) and error.code != "invalid_id" else None
    return {"id": doc_id, **where, "error": {"code": error.code, "detail": error.detail}}


def document_from_json(obj: Any, max_paragraphs: int | None = None, split: str = LINES) -> Document:
    """A `Document` from ``{"id"?, "text" | "paragraphs"}``, checked field by field; a
    ``text`` is split into paragraphs as `split` says (`Document.from_text`)."""
    if not isinstance(obj, dict):
        raise InvalidInput("not_an_object", f"a document must be a JSON object, not {_json_type(obj)}")
    doc_id = obj.get("id")
    if isinstance(doc_id, bool) or (doc_id is not None and not isinstance(doc_id, (str, int, float))):
        raise InvalidInput("invalid_id", f"'id' must be a string or a number, not {_json_type(doc_id)}")
    if isinstance(doc_id, str) and _lone_surrogate(doc_id) is not None:
        raise InvalidInput("invalid_id", "'id' contains a lone surrogate; send real characters, "
                                         "not halves of UTF-16 pairs")
    has_text, has_paragraphs = "text" in obj, "paragraphs" in obj
    if has_text == has_paragraphs:
        raise InvalidInput("missing_content" if not has_text else "ambiguous_content",
                           "a document needs exactly one of 'text' (a string) or 'paragraphs' (a list of strings)")
    if has_text:
        text = obj["text"]
        if not isinstance(text, str):
            raise InvalidInput("invalid_text", f"'text' must be a string, not {_json_type(text)}")
        _check_characters(text)
        if max_paragraphs is not None:  # counted before a huge text becomes millions of objects
            _check_count(count_paragraphs(text, split), max_paragraphs)
        return Document.from_text(text, doc_id, split)
    paragraphs = obj["paragraphs"]
    if not isinstance(paragraphs, list):
        raise InvalidInput("invalid_paragraphs", f"'paragraphs' must be a list of strings, not {_json_type(paragraphs)}")
    if max_paragraphs is not None:
        _check_count(len(paragraphs), max_paragraphs)
    for index, paragraph in enumerate(paragraphs):
        if not isinstance(paragraph, str):
            raise InvalidInput("invalid_paragraphs", f"paragraph {index} must be a string, not {_json_type(paragraph)}")
        _check_characters(paragraph)
    return Document.from_paragraphs(paragraphs, doc_id)


def _check_count(paragraphs: int, limit: int) -> None:
    if paragraphs > limit:
        raise InvalidInput("too_many_paragraphs", f"the document has {paragraphs} paragraphs; the limit is {limit}")


def _check_characters(text: str) -> None:
    """Refuse NUL characters and the lone surrogates that JSON escapes can smuggle in."""
    if "\x00" in text:
        raise InvalidInput("binary_content", "the text contains NUL characters: it looks like binary data")
    if (position := _lone_surrogate(text)) is not None:
        raise InvalidInput("invalid_unicode", f"the text contains a lone surrogate at character {position}; "
                                              "send real characters, not halves of UTF-16 pairs")


def _lone_surrogate(text: str) -> int | None:
    """Where `text` holds a lone surrogate (a JSON escape can bring one in), if it does."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


DECIMAL = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
"""A plain decimal number ("0.6", ".6", "1.", "6e-1"): what `float` reads, without its underscores
("0.5_0" is 0.5), signs, spaces, infinities, NaN and non-ASCII digits."""


def whole_number(raw: str, least: int = 1, most: int | None = None) -> int:
    """`raw` as a whole number from `least` (to `most`), written in ASCII digits alone (no sign, space or
    underscore, which `int` would take); a `ValueError` says what it must be."""
    if not re.fullmatch(r"[0-9]+", raw):
        raise ValueError(f"must be a whole number, not {raw!r}")
    value = int(raw)
    if value < least or (most is not None and value > most):
        raise ValueError(f"must be {f'at least {least}' if most is None else f'from {least} to {most}'}, not {value}")
    return value


def confidence_threshold(raw: str) -> float:
    """A threshold for flagging paragraphs: a number above 0 and at most 1, or `InvalidInput`."""
    if not isinstance(raw, str) or not DECIMAL.fullmatch(raw):
        raise InvalidInput("invalid_threshold", f"the threshold must be a number such as 0.6, not {raw!r}")
    value = float(raw)
    if not 0 < value <= 1:
        raise InvalidInput("invalid_threshold", f"the threshold must be above 0 and at most 1, not {raw}")
    return value


def paragraph_split(raw: str) -> str:
    """How plain text is to be split into paragraphs (`check_split`), or `InvalidInput`."""
    try:
        return check_split(raw)
    except ValueError as error:
        raise InvalidInput("invalid_split", str(error)) from None
