"""Paragraph features: what a paragraph says, how it looks, and where it stands.

All paragraphs of a batch of documents are featurised in one pass: texts that
repeat (menus, footers, buttons) are featurised once, from one code-point
array of all of them (winnow.codepoints), and the neighbour features are
built by shifting rows of one array, never by a Python loop over paragraphs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from winnow import config
from winnow.arrays import document_bounds, shifted_within_documents, side_by_side
from winnow.codepoints import CodePoints
from winnow.document import Document
from winnow.shape import N_SHAPE, shape_matrix
from winnow.texthash import hashed_text


FEATURES_VERSION = 6
"""Raised whenever a change moves what a column of either stage means, or what else a model holds
(version 2: words hashed in numpy, by winnow.wordhash, now winnow.texthash; 3: stage two also reads
stage one's word and shape scores apart; 4: each paragraph's first and last word hashed apart too;
5: the model holds the label transitions it decodes with; 6: character 3-grams, and hashed rows
scaled by their number of entries). A model records the version it was fitted on and will not load
under another."""
N_POSITION = 4
"""Position columns of the dense block (`_positions`)."""


@dataclass(frozen=True)
class Features:
    """The rows of a batch in two blocks: hashed words and character 3-grams (sparse) and shape,
    position and the neighbours' shape (dense). Kept apart because joining them costs more than
    using them.

    Both blocks are held once per distinct text, with the distinct text of each
    paragraph (`text_of`): menus and footers repeat, and a linear model's scores
    of a text are then computed once. The dense block, which repeats each
    paragraph's shape in its neighbours' rows, is only built when asked for
    (`dense`, to fit a model): `dense_product` gives its product without it.
    """

    distinct_hashed: sp.csr_matrix
    distinct_shapes: np.ndarray
    distinct_blank: np.ndarray  # whether the text is nothing but spaces
    text_of: np.ndarray
    lengths: np.ndarray  # paragraphs of each document of the batch
    context: int

    @property
    def hashed(self) -> sp.csr_matrix:
        """Each paragraph's hashed words and character 3-grams."""
        return self.distinct_hashed[self.text_of]

    @property
    def blank(self) -> np.ndarray:
        """Whether each paragraph is nothing but spaces."""
        return self.distinct_blank.take(self.text_of)

    @property
    def shapes(self) -> np.ndarray:
        """Each paragraph's own shape values (`winnow.shape.SHAPE_NAMES`)."""
        # `take` gathers rows four times as fast as indexing with an array does.
        return self.distinct_shapes.take(self.text_of, axis=0)

    @property
    def neighbours(self) -> tuple[int, ...]:
        """Whose shape the dense block holds after the paragraph's own and its position: the
        paragraph `by` rows on, for each `by`."""
        return tuple(by for offset in range(1, self.context + 1) for by in (-offset, offset))

    @property
    def dense(self) -> np.ndarray:
        """Shape, position, then the shape of each of `neighbours` (zeros past the document's edges)."""
        shapes, bounds = self.shapes, document_bounds(self.lengths)
        return side_by_side([shapes, _positions(bounds),
                             *(shifted_within_documents(shapes, bounds, by)[0] for by in self.neighbours)])

    def dense_product(self, weights: np.ndarray) -> np.ndarray:
        """``dense @ weights``, from a product of each distinct text's shape with the weights of
        the paragraph's own and of each neighbour's shape, moved to the rows it neighbours."""
        n_neighbours, k = len(self.neighbours), weights.shape[1]
        own, position, of_neighbours = np.split(weights, [N_SHAPE, N_SHAPE + N_POSITION])
        by_neighbour = of_neighbours.reshape(n_neighbours, N_SHAPE, k).transpose(1, 0, 2).reshape(N_SHAPE, -1)
        products = (self.distinct_shapes @ np.hstack([own, by_neighbour])).take(self.text_of, axis=0)
        bounds = document_bounds(self.lengths)
        total = products[:, :k] + _positions(bounds) @ position
        for i, by in enumerate(self.neighbours, 1):
            total += shifted_within_documents(products[:, i * k:(i + 1) * k], bounds, by)[0]
        return total

    def matrix(self) -> sp.csr_matrix:
        """Both blocks side by side, as a model is fitted on them."""
        return sp.hstack([self.hashed, sp.csr_matrix(self.dense)], format="csr", dtype=np.float32)


class ParagraphFeaturizer:
    """Turns documents into one row of features per paragraph.

    A row holds the paragraph's own hashed words, word pairs and first and
    last word, its hashed character 3-grams (`n_features` columns each), its
    shape, its position in the document and the shape of its neighbours. What
    the neighbours *say* reaches a paragraph through the second stage of the
    model instead, which keeps the rows narrow. It holds no state but its
    parameters, so a saved model needs nothing else of it.
    """

    def __init__(self, n_features: int = config.HASHED_COLUMNS, context: int = config.SHAPE_CONTEXT):
        self.n_features = n_features
        self.context = context

    @property
    def n_hashed(self) -> int:
        """Columns of the hashed block: words, then character 3-grams."""
        return 2 * self.n_features

    def transform(self, documents: Sequence[Document]) -> Features:
        """The features of every paragraph of every document, in order.

        Dense columns: shape, position, then the shape of each neighbour within
        `context`, before and after.
        """
        # Each distinct text is featurised once: menus and footers repeat.
        index: dict[str, int] = {}
        text_of = np.fromiter((index.setdefault(text, len(index)) for doc in documents for text in doc.paragraphs),
                              dtype=np.int64)
        points = CodePoints.of(list(index))
        lengths = np.array([len(doc) for doc in documents], dtype=np.int64)
        return Features(hashed_text(points, self.n_features), shape_matrix(points), points.lengths == 0, text_of,
                        lengths, self.context)


def _positions(bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Relative position, first/last flags and document size for every paragraph (`bounds`: their
    `document_bounds`)."""
    starts, ends = bounds
    size = ends - starts
    index = np.arange(size.size) - starts
    relative = index / np.maximum(size - 1, 1)
    return side_by_side([relative, index == 0, index == size - 1, np.log1p(size) / 6.0])
