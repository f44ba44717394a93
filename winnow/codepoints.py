"""A batch of paragraphs as one array of code points, which shape and word features both read.

The texts, clipped to their head and tail, are joined with a separator that
no paragraph holds (inputs with NUL are refused) and turned into one numpy
array. Per-paragraph counts are then differences of cumulative sums, and a
position is mapped back to its paragraph with `searchsorted`: no Python loop
runs per paragraph or per character.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

# Long paragraphs are article text or appeal letters: their start and end say
# all the model needs, and reading only those keeps the cost per paragraph flat.
HEAD_CHARS = 400
TAIL_CHARS = 80
SEPARATOR = "\x00"
BMP = 0x10000


def clip(text: str) -> str:
    """The head and tail of a long paragraph, stripped; a short one whole."""
    text = text.strip()
    if len(text) <= HEAD_CHARS + TAIL_CHARS:
        return text
    return text[:HEAD_CHARS] + " " + text[-TAIL_CHARS:]


def char_table(predicate: Callable[[str], bool]) -> np.ndarray:
    """`predicate` of every character of the Basic Multilingual Plane, indexable by code point."""
    return np.array([predicate(chr(code)) for code in range(BMP)], dtype=bool)


def class_table(predicates: dict[str, Callable[[str], bool]]) -> tuple[np.ndarray, dict[str, int]]:
    """One bit per named predicate for every BMP character, so that one lookup classifies an array.

    Returns the table and each name's bit: ``table[codes] & bits[name]`` marks where it holds.
    """
    bits = {name: 1 << i for i, name in enumerate(predicates)}
    table = np.zeros(BMP, dtype=np.uint32)
    for name, predicate in predicates.items():
        table[char_table(predicate)] |= bits[name]
    return table, bits


@dataclass(frozen=True)
class CodePoints:
    """Clipped texts joined into one code-point array, with where each text starts and ends in it."""

    texts: list[str]  # clipped
    joined: str
    codes: np.ndarray  # uint32, the joined texts and one trailing separator
    bmp: np.ndarray  # the codes capped at U+FFFF, to index the character tables
    starts: np.ndarray
    ends: np.ndarray
    full_lengths: np.ndarray  # of the texts before clipping

    @classmethod
    def of(cls, texts: Sequence[str]) -> "CodePoints":
        clipped = [clip(text) for text in texts]
        lengths = np.fromiter(map(len, clipped), dtype=np.int64, count=len(clipped))
        starts = np.cumsum(lengths + 1) - (lengths + 1)
        joined = SEPARATOR.join(clipped)
        # The trailing separator keeps the array non-empty when every text is: index -1 stays valid.
        codes = np.frombuffer((joined + SEPARATOR).encode("utf-32-le"), dtype=np.uint32)
        return cls(clipped, joined, codes, np.minimum(codes, BMP - 1), starts, starts + lengths,
                   np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def count(self, mask: np.ndarray) -> np.ndarray:
        """How many positions of each text `mask` marks (it must not mark the separators)."""
        return np.add.reduceat(mask, self.starts, dtype=np.int64)

    def owner(self, positions: np.ndarray) -> np.ndarray:
        """The index of the text each position of the joined array falls in."""
        return np.searchsorted(self.starts, positions, side="right") - 1

    def char_at(self, index: np.ndarray) -> np.ndarray:
        """The code point at each text's `index`, or 0 where the index falls outside its text."""
        inside = (index >= self.starts) & (index < self.ends)
        return np.where(inside, self.codes[np.clip(index, 0, len(self.codes) - 1)], 0)

    def shifted(self, mask: np.ndarray, by: int) -> np.ndarray:
        """`mask` moved `by` positions to the left (by > 0: position i holds i+by), False past the edges."""
        out = np.zeros_like(mask)
        if by > 0:
            out[:-by] = mask[by:]
        else:
            out[-by:] = mask[:by]
        return out
