"""Moving rows of arrays, for features that read a neighbour: the next character, the previous paragraph."""
from __future__ import annotations

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


def shifted_within_documents(rows: np.ndarray, lengths: np.ndarray, by: int) -> tuple[np.ndarray, np.ndarray]:
    """Row i holds row i+by of the same document, zeros past its edges; and whether it had that neighbour.

    `rows` are the paragraphs of consecutive documents of the given `lengths`.
    """
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    source = np.arange(len(rows)) + by
    inside = (source >= starts) & (source < starts + np.repeat(lengths, lengths))
    moved = shifted(rows, by)
    moved[~inside] = 0
    return moved, inside
