"""Labels as a sequence: how often one label follows another, and the best label path through a page.

A Viterbi pass over a stage's probabilities prefers label runs that pages
actually have (an appeal's lines together, a teaser list's card lines
together). The model decodes its calibrated probabilities with it, the
transitions at a light weight (`config.TRANSITION_WEIGHT`): stage two already
reads the neighbourhood, and at full weight the transitions overrule it. The
context study (train.context_study) compares the decodes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from winnow.arrays import document_bounds
from winnow.labels import LABEL_INDEX, LABELS


@dataclass(frozen=True)
class Transitions:
    """Log-probabilities of the first label of a page and of each label given the one before."""

    log_start: np.ndarray  # [label]
    log_next: np.ndarray  # [previous label, next label]

    @classmethod
    def count(cls, labels: Sequence[Sequence[str]]) -> "Transitions":
        """Counted on label sequences, add-one smoothed."""
        k = len(LABELS)
        starts, pairs = np.ones(k), np.ones((k, k))
        for sequence in labels:
            ids = np.array([LABEL_INDEX[label] for label in sequence], dtype=np.int64)
            if len(ids):
                starts[ids[0]] += 1
                np.add.at(pairs, (ids[:-1], ids[1:]), 1)
        return cls(np.log(starts / starts.sum()), np.log(pairs / pairs.sum(axis=1, keepdims=True)))

    def best_paths(self, log_probabilities: np.ndarray, lengths: np.ndarray, weight: float) -> np.ndarray:
        """The label index of every paragraph on a best path through its document.

        A path scores the log-probabilities of its labels plus `weight` times
        the log-probabilities of its start and transitions. Where a
        paragraph's most probable label beats the others by more than any
        transition around it could win back (`_settled`), every best path
        takes that label, so the search (`_viterbi`) only runs through the
        stretches of unsettled paragraphs, each between its settled
        neighbours as fixed ends: a path as good as searching everywhere, for
        a fraction of the work when the weight is light.
        """
        lengths = np.asarray(lengths, dtype=np.int64)
        path = log_probabilities.argmax(axis=1)
        settled = self._settled(log_probabilities, lengths, weight)
        if settled.all():
            return path
        index, stretch_lengths = _stretches(~settled, lengths)
        emissions = log_probabilities[index].copy()
        fixed = settled[index]
        emissions[fixed] = np.where(np.arange(emissions.shape[1]) == path[index[fixed], None], 0.0, -np.inf)
        searched = self._viterbi(emissions, stretch_lengths, weight)
        path[index[~fixed]] = searched[~fixed]
        return path

    def _settled(self, log_probabilities: np.ndarray, lengths: np.ndarray, weight: float) -> np.ndarray:
        """Where the most probable label is on every best path.

        Changing a paragraph's label to its most probable one gains at least
        its margin over the runner-up and loses at most the widest spread of
        the weighted transition scores into it (the start scores, for the
        first paragraph) and out of it (none, for the last): when the margin
        is larger, no best path leaves that label there.
        """
        if log_probabilities.shape[1] < 2:
            return np.ones(len(log_probabilities), dtype=bool)
        top_two = -np.partition(-log_probabilities, 1, axis=1)[:, :2]
        margin = top_two[:, 0] - top_two[:, 1]
        spread_into = weight * np.ptp(self.log_next, axis=1).max()
        spread_out_of = weight * np.ptp(self.log_next, axis=0).max()
        spread_of_start = weight * np.ptp(self.log_start)
        rows = np.arange(len(margin))
        starts, ends = document_bounds(lengths)
        is_first, is_last = rows == starts, rows == ends - 1
        most_transitions_win = (np.where(is_first, spread_of_start, spread_into)
                                + np.where(is_last, 0.0, spread_out_of))
        return margin > most_transitions_win

    def _viterbi(self, log_probabilities: np.ndarray, lengths: np.ndarray, weight: float) -> np.ndarray:
        """`best_paths` by searching every position: all documents decoded together, one paragraph
        position at a time (documents sorted by length, those still running at a position are a prefix)."""
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


def _stretches(unsettled: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each maximal run of unsettled paragraphs of a document, with the settled paragraph just
    before and just after it where the document has one: the rows of all of them, one after
    another, and the length of each."""
    rows = np.arange(len(unsettled))
    document_start, document_end = document_bounds(lengths)
    after_settled = (rows == document_start) | ~np.concatenate([[False], unsettled[:-1]])
    before_settled = (rows == document_end - 1) | ~np.concatenate([unsettled[1:], [False]])
    first = np.flatnonzero(unsettled & after_settled)
    stop = np.flatnonzero(unsettled & before_settled) + 1
    # Widen each run by its settled neighbours, which stay inside the document.
    first = np.where(first > document_start[first], first - 1, first)
    stop = np.where(stop < document_end[stop - 1], stop + 1, stop)
    stretch_lengths = stop - first
    offsets = np.repeat(first - (np.cumsum(stretch_lengths) - stretch_lengths), stretch_lengths)
    return np.arange(stretch_lengths.sum()) + offsets, stretch_lengths


def clipped_log(probabilities: np.ndarray) -> np.ndarray:
    """Log-probabilities for decoding, with probabilities clipped at 1e-9 so none is -inf."""
    return np.log(np.clip(probabilities, 1e-9, 1.0))
