"""Moving rows of arrays, for features that read a neighbour (the next character, the previous
paragraph), and setting feature blocks side by side."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def shifted(array: np.ndarray, by: int) -> np.ndarray:
    """`array` moved `by` rows up (by > 0: row i holds row i+by), zeros where there is no such row."""
    out = np.zeros_like(array)
    if by > 0:
        out[:-by] = array[by:]
    elif by < 0:
        out[-by:] = array[:by]
    else:
        out[:] = array
    return out


def document_bounds(lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every row of consecutive documents of these `lengths`: where its document starts, and
    where it ends (the row after its last)."""
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts, starts + np.repeat(lengths, lengths)


def shifted_within_documents(rows: np.ndarray, bounds: tuple[np.ndarray, np.ndarray],
                             by: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i holds row i+by of the same document, zeros past its edges; and whether it had that neighbour.

    `rows` are the paragraphs of consecutive documents, and `bounds` their
    `document_bounds`, computed once by the caller for all its shifts.
    """
    starts, ends = bounds
    source = np.arange(len(rows)) + by
    inside = (source >= starts) & (source < ends)
    moved = shifted(rows, by)
    moved[~inside] = 0
    return moved, inside


def side_by_side(blocks: Sequence[np.ndarray]) -> np.ndarray:
    """The blocks' columns side by side as float32, as ``np.hstack`` gives them (a 1-D block is one column).

    The result is laid out column by column, so each block is copied into
    contiguous memory: several times faster than hstack's row-major copy for
    the tall, narrow blocks that features are made of.
    """
    blocks = [block[:, None] if block.ndim == 1 else block for block in blocks]
    out = np.empty((len(blocks[0]), sum(block.shape[1] for block in blocks)), dtype=np.float32, order="F")
    column = 0
    for block in blocks:
        out[:, column:column + block.shape[1]] = block
        column += block.shape[1]
    return out
