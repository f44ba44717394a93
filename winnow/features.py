"""Paragraph features: what a paragraph says, how it looks, and where it stands.

All paragraphs of a batch of documents are featurised in one pass: texts that
repeat (menus, footers, buttons) are featurised once, the word n-grams of all
of them are hashed in a single call, and the neighbour features are built by
shifting rows of one sparse matrix, never by a Python loop over paragraphs.
"""
from __future__ import annotations

import re
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from winnow.document import Document
from winnow.shape import N_SHAPE, clip, shape_matrix

_TOKEN = re.compile(r"(?u)\b\w+\b|[$€£%©…|•»×]")


def words_and_bigrams(text: str) -> list[str]:
    """Lower-cased words (and a few telling symbols) of a paragraph's head and tail, and their bigrams.

    The same strings scikit-learn's word analyser makes with ngram_range=(1, 2),
    built with one findall and one comprehension instead of its loop.
    """
    tokens = _TOKEN.findall(clip(text).lower())
    return tokens + [f"{first} {second}" for first, second in zip(tokens, tokens[1:])]


class ParagraphFeaturizer:
    """Turns documents into one sparse row per paragraph.

    A row holds the paragraph's own word n-grams and shape, the shape of its
    neighbours, and its position in the document. What the neighbours *say*
    reaches a paragraph through the second stage of the model instead, which
    keeps this matrix narrow.
    """

    def __init__(self, n_features: int = 2**18, context: int = 2):
        self.n_features = n_features
        self.context = context
        self._words = self._hasher()

    def _hasher(self) -> HashingVectorizer:
        return HashingVectorizer(n_features=self.n_features, analyzer=words_and_bigrams,
                                 alternate_sign=False, norm="l2", dtype=np.float32)

    # A saved model keeps the parameters, not the hasher: it holds no state, and
    # leaving it out keeps saved models loadable when its code moves.
    def __getstate__(self) -> dict:
        return {"n_features": self.n_features, "context": self.context}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._words = self._hasher()

    def own_features(self, paragraphs: Sequence[str]) -> sp.csr_matrix:
        """Words and shape of each paragraph, computed once per distinct text."""
        if not paragraphs:
            return sp.csr_matrix((0, self.n_features + N_SHAPE), dtype=np.float32)
        distinct, inverse = np.unique(np.asarray(paragraphs, dtype=object), return_inverse=True)
        words = self._words.transform(distinct)
        shapes = sp.csr_matrix(shape_matrix(distinct.tolist()))
        return sp.hstack([words, shapes], format="csr")[inverse]

    def transform(self, documents: Sequence[Document]) -> sp.csr_matrix:
        """One row per paragraph of every document, in order."""
        paragraphs = [p for doc in documents for p in doc.paragraphs]
        own = self.own_features(paragraphs)
        lengths = np.array([len(doc) for doc in documents], dtype=np.int64)
        shapes = own[:, self.n_features:]
        blocks = [own, _positions(lengths)]
        for offset in range(1, self.context + 1):
            for direction in (-offset, offset):
                blocks.append(_shifted_within_documents(shapes, lengths, direction))
        return sp.hstack(blocks, format="csr", dtype=np.float32)


def _positions(lengths: np.ndarray) -> sp.csr_matrix:
    """Relative position, first/last flags and document size for every paragraph."""
    size = np.repeat(lengths, lengths)
    index = np.arange(size.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    relative = index / np.maximum(size - 1, 1)
    dense = np.column_stack([relative, index == 0, index == size - 1, np.log1p(size) / 6.0])
    return sp.csr_matrix(dense.astype(np.float32))


def _shifted_within_documents(rows: sp.csr_matrix, lengths: np.ndarray, shift: int) -> sp.csr_matrix:
    """Row i holds row i+shift of the same document, or zeros past its edges."""
    n = rows.shape[0]
    doc_of_row = np.repeat(np.arange(len(lengths)), lengths)
    source = np.arange(n) + shift
    valid = (source >= 0) & (source < n)
    valid[valid] = doc_of_row[source[valid]] == doc_of_row[valid]
    selector = sp.csr_matrix((np.ones(valid.sum(), dtype=np.float32),
                              (np.flatnonzero(valid), source[valid])), shape=(n, n))
    return selector @ rows
