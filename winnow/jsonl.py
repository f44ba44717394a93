"""Segmenting a stream of JSON documents, one per line, in this process or in several.

The stream is read in chunks of lines. A chunk is parsed, labelled and
written out as JSON text in one piece of work, so that worker processes pass
only bytes and text back and forth, and the results come out in the order of
the lines. A line that is not a valid document gets an error line
``{"id", "line", "error": {"code", "detail"}}`` in its place.
"""
from __future__ import annotations

import json
import multiprocessing
import signal
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import IO, Iterable, Iterator

from threadpoolctl import threadpool_limits

from winnow.document import LINES, Document
from winnow.inputs import decode_text, document_from_json
from winnow.model import LoadedModel
from winnow.segment import segment_documents

CHUNK_LINES = 256
# Chunks handed out per process and not yet written: enough to keep every
# process busy, few enough that a huge input is not read ahead into memory.
CHUNKS_IN_FLIGHT_PER_PROCESS = 2


@dataclass(frozen=True)
class Chunk:
    """Consecutive lines of the input, the first of them numbered `first_line` (from 1)."""

    first_line: int
    lines: list[bytes]


@dataclass(frozen=True)
class Segmented:
    """What one chunk gives: its output lines and how many of them are results and errors."""

    text: str
    lines: int
    errors: int


@dataclass(frozen=True)
class ChunkSegmenter:
    """Segments one chunk of lines with `model`; picklable, so it can be sent to a process."""

    model: LoadedModel
    flag_below: float | None = None
    split: str = LINES

    def __call__(self, chunk: Chunk) -> Segmented:
        items = list(_parse(chunk, self.split))
        results = iter(segment_documents(
            self.model, [item for item in items if isinstance(item, Document)], self.flag_below))
        rows = [next(results) if isinstance(item, Document) else item for item in items]
        return Segmented("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                         len(rows), sum("error" in row for row in rows))


def segment_stream(stream: IO[bytes], segmenter: ChunkSegmenter, processes: int = 1) -> Iterator[Segmented]:
    """Every chunk of `stream` segmented, in order, in this process or in `processes` worker processes."""
    chunks = _chunks(stream)
    if processes == 1:
        return map(segmenter, chunks)
    return _in_processes(segmenter, chunks, processes)


def _chunks(stream: IO[bytes]) -> Iterator[Chunk]:
    lines, first_line = iter(stream), 1
    while chunk := list(islice(lines, CHUNK_LINES)):
        yield Chunk(first_line, chunk)
        first_line += len(chunk)


def _in_processes(segmenter: ChunkSegmenter, chunks: Iterable[Chunk], processes: int) -> Iterator[Segmented]:
    with multiprocessing.Pool(processes, initializer=_install, initargs=(segmenter,)) as pool:
        pending = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_segment_in_worker, (chunk,)))
            if len(pending) >= CHUNKS_IN_FLIGHT_PER_PROCESS * processes:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


_worker_segmenter: ChunkSegmenter | None = None


def _install(segmenter: ChunkSegmenter) -> None:
    """Start a worker process: one numerical thread each, the processes are the parallelism;
    Ctrl-C is left to the parent, which ends the workers."""
    global _worker_segmenter
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)
    _worker_segmenter = segmenter


def _segment_in_worker(chunk: Chunk) -> Segmented:
    return _worker_segmenter(chunk)


def _parse(chunk: Chunk, split: str) -> Iterator[Document | dict]:
    """The chunk's documents, or an error row in the place of each line that is not one; blank lines skipped."""
    for number, raw in enumerate(chunk.lines, chunk.first_line):
        if not raw.strip():
            continue
        obj = None
        try:
            obj = json.loads(decode_text(raw))
            yield document_from_json(obj, split=split)
        except ValueError as error:  # InvalidInput and JSONDecodeError alike
            code = getattr(error, "code", "invalid_json")
            doc_id = obj.get("id") if isinstance(obj, dict) else None
            yield {"id": doc_id, "line": number, "error": {"code": code, "detail": str(error)}}
