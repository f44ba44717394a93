"""Labelled documents as stored in data/: gzip'd (or plain) JSONL, one document a line.

Each line is ``{"id", "source", "url", "site", "origin", "paragraphs": [{"text", "label", ...}]}``.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from winnow.document import Document
from winnow.labels import LABELS


@dataclass(frozen=True)
class LabelledDocument:
    document: Document
    labels: list[str]
    site: str
    source: str
    origin: str  # "natural" or "augmented"
    url: str = ""
    rules: tuple[str, ...] = ()  # where each paragraph's label came from


def open_text(path: str | Path, mode: str = "rt"):
    """Open a JSONL file, gzip'd when its name ends in .gz."""
    path = Path(path)
    if path.suffix == ".gz" and "w" in mode:  # no timestamp in the header: same data, same bytes
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def read_records(path: str | Path) -> Iterator[dict]:
    with open_text(path) as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def write_records(path: str | Path, records: Iterable[dict]) -> int:
    count = 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open_text(path, "wt") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def to_labelled(record: dict) -> LabelledDocument:
    paragraphs = record["paragraphs"]
    labels = [p["label"] for p in paragraphs]
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise ValueError(f"document {record.get('id')!r} has unknown labels {sorted(unknown)}")
    document = Document.from_paragraphs([p["text"] for p in paragraphs], record.get("id"))
    return LabelledDocument(document, labels, record.get("site", record.get("id", "")),
                            record.get("source", ""), record.get("origin", "natural"), record.get("url", ""),
                            tuple(p.get("rule", "") for p in paragraphs))


def load(paths: str | Path | Iterable[str | Path]) -> list[LabelledDocument]:
    """Every labelled document in one or more JSONL files."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [to_labelled(record) for path in paths for record in read_records(path)]


def checksum(paths: Iterable[str | Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
