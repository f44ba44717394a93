"""A batch of paragraphs as one array of code points, which shape and word features both read.

The texts, clipped to their head and tail, are joined with a separator that
no paragraph holds (inputs with NUL are refused) and turned into one numpy
array. Per-paragraph counts are sums over each text's stretch (`reduceat`),
and a position is mapped back to its paragraph with `searchsorted`: no Python
loop runs per paragraph or per character.
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


def is_word_char(char: str) -> bool:
    """What a regex's ``\\w`` matches: a letter, digit or underscore of any script."""
    return char.isalnum() or char == "_"


class CharMap:
    """A function of a character, applied to a whole array of code points at once.

    It is tabulated over the Basic Multilingual Plane; the rare characters
    beyond it (emoji, mathematical letters, historic scripts) are mapped one
    by one.
    """

    def __init__(self, function: Callable[[str], int], dtype: type = np.uint32):
        self._function = function
        self._table = self._tabulate(dtype)

    def _tabulate(self, dtype: type) -> np.ndarray:
        return np.fromiter(map(self._function, map(chr, range(BMP))), dtype=dtype, count=BMP)

    def of(self, codes: np.ndarray) -> np.ndarray:
        """The function's value for every code point of `codes`."""
        mapped = self._table[np.minimum(codes, BMP - 1)]
        astral = np.flatnonzero(codes >= BMP)
        if len(astral):
            mapped[astral] = [self._function(chr(code)) for code in codes[astral].tolist()]
        return mapped


class CharClasses(CharMap):
    """Named character classes, one bit each: ``where(of(codes), name)`` marks where `name` holds.

    A class is given by a predicate, or by the string of its characters.
    """

    def __init__(self, classes: dict[str, Callable[[str], bool] | str]):
        self.bits = {name: 1 << i for i, name in enumerate(classes)}
        self._classes = classes
        # The narrowest integers that hold the bits: a smaller table stays in cache.
        super().__init__(self._bits_of, dtype=np.min_scalar_type(2 ** len(classes) - 1))

    def where(self, classes: np.ndarray, name: str) -> np.ndarray:
        """Where `name` holds, in `classes` found by `of`."""
        return (classes & self.bits[name]) != 0

    def _bits_of(self, char: str) -> int:
        return sum(bit for name, bit in self.bits.items() if _holds(self._classes[name], char))

    def _tabulate(self, dtype: type) -> np.ndarray:
        # Class by class: a class given by its characters sets their bits, a predicate is called once
        # per character of the plane. Summing the bits of each character took 0.15 s at import.
        table = np.zeros(BMP, dtype=dtype)
        for name, members in self._classes.items():
            if isinstance(members, str):
                where = [ord(char) for char in members if ord(char) < BMP]
            else:
                where = np.fromiter(map(members, map(chr, range(BMP))), dtype=bool, count=BMP)
            table[where] |= self.bits[name]
        return table


def _holds(members: Callable[[str], bool] | str, char: str) -> bool:
    return char in members if isinstance(members, str) else members(char)


def start_offsets(lengths: np.ndarray) -> np.ndarray:
    """Where each of texts of these lengths starts when they are joined with a one-character separator."""
    return np.cumsum(lengths + 1) - (lengths + 1)


@dataclass(frozen=True)
class CodePoints:
    """Clipped texts joined into one code-point array, with where each text starts and ends in it."""

    texts: list[str]  # clipped
    joined: str
    codes: np.ndarray  # uint32, the joined texts and one trailing separator
    starts: np.ndarray
    ends: np.ndarray
    full_lengths: np.ndarray  # of the texts before clipping

    @classmethod
    def of(cls, texts: Sequence[str]) -> "CodePoints":
        """The texts, each clipped to its head and tail, joined into one array."""
        # Most texts are short: they are only stripped, without a call to `clip` each.
        clipped = [text if len(text) <= HEAD_CHARS + TAIL_CHARS else clip(text) for text in map(str.strip, texts)]
        lengths = np.fromiter(map(len, clipped), dtype=np.int64, count=len(clipped))
        starts = start_offsets(lengths)
        joined = SEPARATOR.join(clipped)
        # The trailing separator keeps the array non-empty when every text is: index -1 stays valid.
        codes = np.frombuffer((joined + SEPARATOR).encode("utf-32-le"), dtype=np.uint32)
        return cls(clipped, joined, codes, starts, starts + lengths,
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
