"""Segmenting a JSONL stream in worker processes: the order of the input, and no hang when something goes wrong."""
import io
import os
import signal
import threading

import pytest

from winnow.jsonl import CHUNK_LINES, Chunk, Segmented, WorkerDied, segment_stream


class LineNumbers:
    """A stand-in for `ChunkSegmenter` that gives each chunk's line numbers, in the process it runs in."""

    def __call__(self, chunk: Chunk) -> Segmented:
        numbers = range(chunk.first_line, chunk.first_line + len(chunk.lines))
        return Segmented("".join(f"{n} {os.getpid()}\n" for n in numbers), len(chunk.lines), errors=0, blank=0)


class FailsOnTheSecondChunk(LineNumbers):
    def __call__(self, chunk: Chunk) -> Segmented:
        if chunk.first_line > CHUNK_LINES:
            raise ValueError(f"cannot segment line {chunk.first_line}")
        return super().__call__(chunk)


class DiesOnTheThirdChunk(LineNumbers):
    def __call__(self, chunk: Chunk) -> Segmented:
        if chunk.first_line > 2 * CHUNK_LINES:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(chunk)


def lines(count: int) -> io.BytesIO:
    return io.BytesIO(b"{}\n" * count)


@pytest.mark.parametrize("processes", [2, 3])
def test_chunks_come_back_in_the_order_of_the_input_from_every_process(processes):
    output = "".join(s.text for s in segment_stream(lines(10 * CHUNK_LINES + 7), LineNumbers(), processes))
    numbers, pids = zip(*(line.split() for line in output.splitlines()))
    assert [int(n) for n in numbers] == list(range(1, 10 * CHUNK_LINES + 8))
    assert len(set(pids)) == processes and str(os.getpid()) not in pids


def test_fewer_chunks_than_processes_and_no_chunk_at_all_are_fine():
    assert [s.rows for s in segment_stream(lines(3), LineNumbers(), 4)] == [3]
    assert list(segment_stream(lines(0), LineNumbers(), 4)) == []


def test_an_error_while_segmenting_in_a_worker_is_raised_as_in_one_process():
    with pytest.raises(ValueError, match="cannot segment line 257"):
        list(segment_stream(lines(3 * CHUNK_LINES), FailsOnTheSecondChunk(), 2))


def test_a_worker_that_dies_is_told_not_waited_for():
    stream = segment_stream(lines(6 * CHUNK_LINES), DiesOnTheThirdChunk(), 2)
    assert [s.rows for s in (next(stream), next(stream))] == [CHUNK_LINES, CHUNK_LINES]
    with pytest.raises(WorkerDied):
        next(stream)


class FailsWithAnErrorThatCannotBePickled(LineNumbers):
    def __call__(self, chunk: Chunk) -> Segmented:
        error = ValueError("holds a lock")
        error.lock = threading.Lock()
        raise error


def test_an_error_that_cannot_cross_to_the_parent_comes_back_as_its_traceback():
    with pytest.raises(RuntimeError, match="ValueError: holds a lock"):
        list(segment_stream(lines(CHUNK_LINES), FailsWithAnErrorThatCannotBePickled(), 2))
