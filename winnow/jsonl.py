"""Segmenting a stream of JSON documents, one per line, in this process or in several.

The stream is read in chunks of lines. A chunk is parsed, labelled and
written out as JSON text in one piece of work, so that worker processes pass
only bytes and text back and forth, and the results come out in the order of
the lines. A line that is not a valid document gets an error line
``{"id", "line", "error": {"code", "detail"}}`` in its place
(`winnow.inputs.item_from_line`); blank lines are skipped.
"""
from __future__ import annotations

import json
import signal
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import IO, Iterable, Iterator

from threadpoolctl import threadpool_limits

from winnow.document import LINES, Document
from winnow.inputs import item_from_line
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
    """What one chunk gives: its output, one JSON row per non-blank line, and how many rows are errors."""

    text: str
    rows: int
    errors: int


@dataclass(frozen=True)
class ChunkSegmenter:
    """Segments one chunk of lines with `model`; picklable, so it can be sent to a process."""

    model: LoadedModel
    flag_below: float | None = None
    split: str = LINES

    def __call__(self, chunk: Chunk) -> Segmented:
        items = [item_from_line(number, line, split=self.split)
                 for number, line in enumerate(chunk.lines, chunk.first_line) if line.strip()]
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
    """Raises `concurrent.futures.process.BrokenProcessPool` when a worker dies (killed, out of memory)."""
    pool = ProcessPoolExecutor(processes, initializer=_install, initargs=(segmenter,))
    pending: deque[Future] = deque()
    try:
        for chunk in chunks:
            pending.append(pool.submit(_segment_in_worker, chunk))
            if len(pending) >= CHUNKS_IN_FLIGHT_PER_PROCESS * processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:  # also when the reader stops early or Ctrl-C is pressed: no chunk is started after
        pool.shutdown(cancel_futures=True)


_worker_segmenter: ChunkSegmenter  # set by `_install` in each worker process


def _install(segmenter: ChunkSegmenter) -> None:
    """Start a worker process: one numerical thread each, the processes are the parallelism;
    Ctrl-C is left to the parent, which ends the workers."""
    global _worker_segmenter
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(limits=1)
    _worker_segmenter = segmenter


def _segment_in_worker(chunk: Chunk) -> Segmented:
    return _worker_segmenter(chunk)
