"""Labels as a sequence: how often one label follows another, and the best label path through a page.

A Viterbi pass over a stage's probabilities prefers label runs that pages
actually have (an appeal's lines together, a teaser list's card lines
together). The model decodes stage two's probabilities with it, the
transitions at a light weight (`config.TRANSITION_WEIGHT`): stage two already
reads the neighbourhood, and at full weight the transitions overrule it. The
context study (train.context_study) compares the decodes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from winnow.labels import LABELS


@dataclass(frozen=True)
class Transitions:
    """Log-probabilities of the first label of a page and of each label given the one before."""

    log_start: np.ndarray  # [label]
    log_next: np.ndarray  # [previous label, next label]

    @classmethod
    def count(cls, labels: Sequence[Sequence[str]]) -> "Transitions":
        """Counted on label sequences, add-one smoothed."""
        index = {label: i for i, label in enumerate(LABELS)}
        k = len(LABELS)
        starts, pairs = np.ones(k), np.ones((k, k))
        for sequence in labels:
            ids = np.array([index[label] for label in sequence], dtype=np.int64)
            if len(ids):
                starts[ids[0]] += 1
                np.add.at(pairs, (ids[:-1], ids[1:]), 1)
        return cls(np.log(starts / starts.sum()), np.log(pairs / pairs.sum(axis=1, keepdims=True)))

    def best_paths(self, log_probabilities: np.ndarray, lengths: np.ndarray, weight: float) -> np.ndarray:
        """The label index of every paragraph on the best path through its document.

        A path scores the log-probabilities of its labels plus `weight` times
        the log-probabilities of its start and transitions. All documents are
        decoded together, one paragraph position at a time: documents sorted
        by length, those still running at a position are a prefix.
        """
        lengths = np.asarray(lengths, dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")
        sorted_lengths = lengths[order]
        sorted_starts = (np.cumsum(lengths) - lengths)[order]
        running = int((sorted_lengths > 0).sum())
        path = np.zeros(len(log_probabilities), dtype=np.int64)
        if not running:
            return path
        start, step = weight * self.log_start, weight * self.log_next
        back = np.zeros(log_probabilities.shape, dtype=np.int64)
        score = start + log_probabilities[sorted_starts[:running]]
        # alive[t]: how many documents are longer than t, the prefix still running at position t
        ended_by = np.cumsum(np.bincount(sorted_lengths, minlength=sorted_lengths[0] + 1))
        alive_at = (len(lengths) - ended_by).tolist()
        for t in range(1, sorted_lengths[0]):
            alive = alive_at[t]
            rows = sorted_starts[:alive] + t
            candidates = score[:alive, :, None] + step  # [document, previous, next]
            back[rows] = candidates.argmax(axis=1)
            score[:alive] = candidates.max(axis=1) + log_probabilities[rows]
        current = score.argmax(axis=1)
        for t in range(sorted_lengths[0] - 1, 0, -1):
            alive = alive_at[t]
            rows = sorted_starts[:alive] + t
            path[rows] = current[:alive]
            current[:alive] = back[rows, current[:alive]]
        path[sorted_starts[:running]] = current
        return path
