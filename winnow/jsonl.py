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
import multiprocessing
import pickle
import signal
import traceback
from collections import deque
from dataclasses import dataclass
from itertools import cycle, islice
from multiprocessing.connection import Connection, wait
from typing import IO, Iterable, Iterator

from threadpoolctl import threadpool_limits

from winnow.document import LINES
from winnow.inputs import item_from_line
from winnow.model import LoadedModel
from winnow.segment import segment_items

CHUNK_LINES = 256


@dataclass(frozen=True)
class Chunk:
    """Consecutive lines of the input, the first of them numbered `first_line` (from 1)."""

    first_line: int
    lines: list[bytes]


@dataclass(frozen=True)
class Segmented:
    """What one chunk gives: its output, one JSON row per non-blank line, how many rows are errors, and
    how many lines were blank (they hold no document, so they have no row)."""

    text: str
    rows: int
    errors: int
    blank: int


@dataclass(frozen=True)
class ChunkSegmenter:
    """Segments one chunk of lines with `model`; picklable, so it can be sent to a process."""

    model: LoadedModel
    flag_below: float | None = None
    split: str = LINES

    def __call__(self, chunk: Chunk) -> Segmented:
        items = [item_from_line(number, line, split=self.split)
                 for number, line in enumerate(chunk.lines, chunk.first_line) if line.strip()]
        rows = segment_items(self.model, items, self.flag_below)
        return Segmented("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
                         len(rows), sum("error" in row for row in rows), len(chunk.lines) - len(rows))


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


class WorkerDied(RuntimeError):
    """A worker process ended before it gave back its chunk (killed, out of memory)."""


def _in_processes(segmenter: ChunkSegmenter, chunks: Iterable[Chunk], processes: int) -> Iterator[Segmented]:
    """The chunks handed to the workers in turn, one each at a time, and their results taken back in the same turn:
    in the order of the input. Raises `WorkerDied` when a worker dies.

    Each worker has a pipe of its own, so one that dies, even halfway through
    sending a result, cuts only its own pipe, and its process sentinel says
    so. (A `concurrent.futures` process pool shares one result pipe between
    its workers: one killed while writing to it left the pool waiting for
    ever.) One chunk at a time: a second one sent to a busy worker would fill
    its pipe while it waits to send its result.
    """
    workers: list[_Worker] = []
    in_turn: deque[_Worker] = deque()
    try:
        # Ctrl-C held back while forking: a worker must not get it before it ignores it, and the
        # parent must not lose it in an at-fork hook; it is raised here once every worker is up.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(processes):
                workers.append(_Worker(segmenter))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        for worker, chunk in zip(cycle(workers), chunks):
            if len(in_turn) == processes:
                yield in_turn.popleft().result()
            worker.send(chunk)
            in_turn.append(worker)
        while in_turn:
            yield in_turn.popleft().result()
    finally:  # also when the reader stops early or Ctrl-C is pressed
        for worker in workers:
            worker.stop()


class _Worker:
    """A worker process and the parent's end of the pipe to it."""

    def __init__(self, segmenter: ChunkSegmenter):
        context = multiprocessing.get_context("fork")  # the loaded model is shared, not copied
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs, self.connection, segmenter), daemon=True)
        self.process.start()
        theirs.close()  # the worker holds the only other end: its death ends the pipe

    def send(self, chunk: Chunk) -> None:
        try:
            self.connection.send(chunk)
        except OSError:
            raise WorkerDied() from None

    def result(self) -> Segmented:
        wait([self.connection, self.process.sentinel])
        try:
            result = self.connection.recv()
        except (EOFError, OSError):
            raise WorkerDied() from None
        if isinstance(result, Exception):  # raised while segmenting: raised here as in one process
            raise result
        return result

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


def _work(connection: Connection, parents_end: Connection, segmenter: ChunkSegmenter) -> None:
    """A worker process: one numerical thread each, the processes are the parallelism; Ctrl-C is left to
    the parent, which ends the workers."""
    parents_end.close()  # else the worker holds both ends and never sees the parent go
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threadpool_limits(limits=1)
    try:
        while True:
            chunk = connection.recv()
            try:
                result = segmenter(chunk)
            except Exception as error:
                result = _portable(error)
            connection.send(result)
    except (EOFError, OSError):  # the parent is gone
        pass


def _portable(error: Exception) -> Exception:
    """`error` if it survives pickling both ways, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError("in a worker process: " + "".join(traceback.format_exception(error)).rstrip())
