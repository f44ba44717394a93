"""Labelled documents as stored in data/: gzip'd (or plain) JSONL, one document a line.

Each line is ``{"id", "source", "url", "site", "origin", "paragraphs": [{"text", "label", ...}]}``.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence, TextIO

import numpy as np

from winnow.document import Document
from winnow.labels import LABELS


ORIGINS = ("natural", "augmented")
"""The kinds of labelled page: real pages, and real pages with written blocks put in."""


@dataclass(frozen=True)
class LabelledDocument:
    document: Document
    labels: list[str]
    site: str
    origin: str  # one of ORIGINS


def open_text(path: str | Path, mode: str = "rt") -> TextIO:
    """Open a JSONL file, gzip'd when its name ends in .gz."""
    path = Path(path)
    if path.suffix == ".gz" and "w" in mode:  # no timestamp in the header: same data, same bytes
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


class DataError(ValueError):
    """A labelled data file that cannot be read, with where and why."""


def read_records(path: str | Path) -> Iterator[tuple[str, dict]]:
    """Where each non-blank line is ("FILE, line N") and its JSON object; a file that cannot be read
    or a line that is not a JSON object raises `DataError`."""
    try:
        with open_text(path) as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    where = f"{path}, line {number}"
                    yield where, _json_object(line, where)
    # EOFError: a gzip file cut short; zlib.error: one damaged inside
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise DataError(f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None


def _json_object(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise DataError(f"{where} is not JSON: {error.msg}") from None
    if not isinstance(record, dict):
        raise DataError(f"{where} is not a JSON object")
    return record


def write_records(path: str | Path, records: Iterable[dict]) -> int:
    count = 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open_text(path, "wt") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def to_labelled(record: dict, where: str = "a record") -> LabelledDocument:
    """The labelled document of one record; `where` it is read from names it in a `DataError`."""
    paragraphs = record.get("paragraphs")
    if not isinstance(paragraphs, list) or not all(
            isinstance(p, dict) and isinstance(p.get("text"), str) and isinstance(p.get("label"), str)
            for p in paragraphs):
        raise DataError(f"{where} is not a labelled document: one has "
                        '"paragraphs": [{"text": "...", "label": "..."}, ...]')
    labels = [p["label"] for p in paragraphs]
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise DataError(f"{where} has unknown labels {sorted(unknown)}; the labels are {', '.join(LABELS)}")
    origin = record.get("origin", ORIGINS[0])
    if origin not in ORIGINS:
        raise DataError(f"{where} has origin {origin!r}; an origin is {' or '.join(ORIGINS)} (natural when not given)")
    document = Document.from_paragraphs([p["text"] for p in paragraphs], record.get("id"))
    return LabelledDocument(document, labels, site_of(record), origin)


def gold_labels(docs: Sequence[LabelledDocument]) -> np.ndarray:
    """Every paragraph's gold label, document after document."""
    return np.array([label for d in docs for label in d.labels])


def site_of(record: dict) -> str:
    """The site a document's record is from (its id when it names none; "" when it names neither)."""
    site = record.get("site")
    if site is None or site == "":
        site = record.get("id")
    return "" if site is None else str(site)


def load(paths: str | Path | Iterable[str | Path]) -> list[LabelledDocument]:
    """Every labelled document in one or more JSONL files; `DataError` for a file that cannot be read,
    a line that is not a labelled document, or no document at all."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    documents = [to_labelled(record, where) for path in paths for where, record in read_records(path)]
    if not documents:
        raise DataError(f"no labelled document in {', '.join(map(str, paths))}")
    return documents


def sites(paths: Iterable[str | Path]) -> set[str]:
    """The sites of every document in these JSONL files."""
    return {site_of(record) for path in paths for _, record in read_records(path)}


def checksum(paths: Iterable[str | Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
