"""Hashed words, word pairs, edge words and character 3-grams, computed with numpy over the
code-point array of a batch.

A token is a maximal run of word characters (letters, digits, underscore) or
one of a few telling symbols, lower-cased. Each token's hash is a polynomial
over its code points, computed for every token at once from one cumulative
sum (arithmetic modulo 2**64, which numpy's uint64 does by overflowing) and
then mixed; each pair of neighbouring tokens of a paragraph is hashed from
the two. This is what scikit-learn's HashingVectorizer does with a
word-and-bigram analyser, without a Python call per paragraph or per token.

The first and the last token of each paragraph are hashed once more, each
with its own salt, and added at `EDGE_WEIGHT`: how a paragraph starts and
ends ("Photo: …", "… Read more", a lone "Autos") tells as much in a long
paragraph as in a short one. (Dev macro-F1 0.815 → 0.821, mean over three
stage-two seeds.)

Every three characters in a row, lower-cased and with any space read as a
plain one, are hashed too, into a block of columns of their own: they read
what tokens split apart or miss ("©2017", "Ad·Choices", "…more", misspelt
and glued words). (Dev macro-F1 0.836 → 0.842, means over three stage-two
seeds.)

Each row is scaled by one over the square root of how many words and pairs
(or 3-grams) it holds, which is its length when no column repeats. Entries
that fall in one column of one row are not summed: a sparse product sums
them, and sorting every row to merge them took a third of the time.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from winnow.arrays import shifted
from winnow.codepoints import CharClasses, CharMap, CodePoints, is_word_char

SYMBOLS = "$€£%©…|•»×"
_CLASSES = CharClasses({"word": is_word_char, "symbol": SYMBOLS})


def _folded(char: str) -> int:
    """The character lower-cased, and any space (a line break, a no-break space) as a plain one."""
    if char.isspace():
        return ord(" ")
    lower = char.lower()
    return ord(lower) if len(lower) == 1 else ord(char)


_FOLDED = CharMap(_folded, dtype=np.uint64)

_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_BASE_INVERSE = pow(_BASE, -1, 2**64)
_PAIR = np.uint64(0x9E3779B97F4A7C15)
_FIRST_SALT = np.uint64(0x1234567)
_LAST_SALT = np.uint64(0x7654321)
EDGE_WEIGHT = 0.5
CHAR_GRAM = 3
POWERS_KEPT = 2**20
"""Code points of a batch up to which the powers of the hash base are kept between batches (8 MB each)."""
_powers_kept: dict[int, np.ndarray] = {}


def hashed_text(points: CodePoints, n_features: int) -> sp.csr_matrix:
    """One row per text of `points`: its hashed words (`n_features` columns, a power of two), then its
    hashed character 3-grams (`n_features` more)."""
    if n_features < 1 or n_features & (n_features - 1):
        raise ValueError(f"n_features must be a power of two, not {n_features}")
    folded = _FOLDED.of(points.codes)
    return sp.hstack([_hashed_words(points, folded, n_features), _hashed_char_grams(points, folded, n_features)],
                     format="csr")


def _hashed_words(points: CodePoints, folded: np.ndarray, n_features: int) -> sp.csr_matrix:
    """Hashed tokens and token pairs, scaled, plus each text's first and last token at `EDGE_WEIGHT`."""
    starts, ends = _tokens(points)
    unigrams = _mix(_polynomial_hashes(folded, starts, ends))
    owner = points.owner(starts)
    same_text = owner[:-1] == owner[1:]
    pairs = _mix(unigrams[:-1][same_text] * _PAIR + unigrams[1:][same_text])
    first, last = np.ones(len(owner), dtype=bool), np.ones(len(owner), dtype=bool)
    first[1:], last[:-1] = ~same_text, ~same_text

    counted = np.concatenate([owner, owner[:-1][same_text]])
    edges = np.concatenate([owner[first], owner[last]])
    scale = _inverse_root(np.bincount(counted, minlength=len(points)))
    return _hashed_rows(
        np.concatenate([counted, edges]),
        np.concatenate([unigrams, pairs, _mix(unigrams[first] ^ _FIRST_SALT), _mix(unigrams[last] ^ _LAST_SALT)]),
        np.concatenate([scale[counted], np.full(len(edges), EDGE_WEIGHT, dtype=np.float32)]),
        len(points), n_features)


def _hashed_char_grams(points: CodePoints, folded: np.ndarray, n_features: int) -> sp.csr_matrix:
    """Each text's hashed runs of `CHAR_GRAM` folded characters, scaled."""
    hashes = folded[:len(folded) - CHAR_GRAM + 1].copy()
    for k in range(1, CHAR_GRAM):
        hashes *= np.uint64(_BASE)
        hashes += folded[k:len(hashes) + k]
    # Where each text's grams start in the joined array: consecutive from the text's start.
    per_text = np.maximum(points.lengths - CHAR_GRAM + 1, 0)
    owner = np.repeat(np.arange(len(points)), per_text)
    positions = np.arange(len(owner)) + (points.starts - (np.cumsum(per_text) - per_text))[owner]
    return _hashed_rows(owner, _mix(hashes[positions]), _inverse_root(per_text)[owner], len(points), n_features)


def _inverse_root(counts: np.ndarray) -> np.ndarray:
    return (1 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)


def _hashed_rows(rows: np.ndarray, hashes: np.ndarray, values: np.ndarray, n_rows: int,
                 n_features: int) -> sp.csr_matrix:
    """`values` at (row, hash modulo `n_features`, a power of two); entries that fall in one cell are kept apart."""
    # Stable, so that a row's entries keep their order; the rows come in a few sorted runs, which
    # numpy's stable sort (timsort) merges in linear time.
    order = np.argsort(rows, kind="stable")
    index_type = np.int32 if len(rows) < 2**31 else np.int64
    indptr = np.zeros(n_rows + 1, dtype=index_type)
    np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
    columns = (hashes[order] & np.uint64(n_features - 1)).astype(index_type)
    return sp.csr_matrix((values[order], columns, indptr), shape=(n_rows, n_features))


def _tokens(points: CodePoints) -> tuple[np.ndarray, np.ndarray]:
    """Start and end positions of every token in the joined array, in order.

    Tokens do not overlap and a symbol is one character, so the starts and
    ends of words and symbols, each found in order, pair up one to one.
    """
    classes = _CLASSES.of(points.codes)
    word, symbol = _CLASSES.where(classes, "word"), _CLASSES.where(classes, "symbol")
    starts = np.flatnonzero(word & ~shifted(word, -1) | symbol)
    ends = np.flatnonzero(word & ~shifted(word, 1) | symbol) + 1
    return starts, ends


def _polynomial_hashes(folded: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """sum(c[j] * BASE**(end-1-j) for j in start..end-1) of the folded code points, per token.

    With w[j] = c[j] * BASE**-j and W its cumulative sum, that is
    BASE**(end-1) * (W[end] - W[start]), all modulo 2**64.
    """
    n = len(folded)
    weighted = folded * _powers(_BASE_INVERSE, n)
    running = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(weighted, dtype=np.uint64)])
    return _powers(_BASE, n)[ends - 1] * (running[ends] - running[starts])


def _powers(base: int, n: int) -> np.ndarray:
    """base**j modulo 2**64 for j = 0..n-1; kept for the next batch up to `POWERS_KEPT` of them."""
    kept = _powers_kept.get(base)
    if kept is None or len(kept) < n:
        kept = np.concatenate([np.ones(1, dtype=np.uint64), np.cumprod(np.full(n - 1, base, dtype=np.uint64))])
        if n <= POWERS_KEPT:
            _powers_kept[base] = kept
    return kept[:n]


def _mix(values: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: every input bit moves every output bit."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))
