"""The best label path: what trying every path would find, for every document of a batch at once."""
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from winnow.labels import LABELS
from winnow.sequence import Transitions

K = len(LABELS)


def path_score(path, log_probabilities: np.ndarray, transitions: Transitions, weight: float) -> float:
    emitted = sum(log_probabilities[i, label] for i, label in enumerate(path))
    moved = transitions.log_start[path[0]] + sum(transitions.log_next[a, b] for a, b in zip(path, path[1:]))
    return emitted + weight * moved


def brute_force(log_probabilities: np.ndarray, transitions: Transitions, weight: float) -> list[int]:
    return list(max(product(range(K), repeat=len(log_probabilities)),
                    key=lambda path: path_score(path, log_probabilities, transitions, weight)))


def random_case(seed: int, n: int, peak: float) -> tuple[Transitions, np.ndarray]:
    """Random transitions and label probabilities, the more peaked the smaller `peak`."""
    rng = np.random.default_rng(seed)
    transitions = Transitions(np.log(rng.dirichlet(np.ones(K))), np.log(rng.dirichlet(np.ones(K), size=K)))
    return transitions, np.log(rng.dirichlet(np.full(K, peak), size=n))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=5), st.integers(0, 2**31),
       st.sampled_from([0.0, 0.125, 0.25, 1.0]), st.sampled_from([0.2, 1.0]))
def test_each_document_gets_the_path_that_trying_every_path_finds(lengths, seed, weight, peak):
    transitions, log_probabilities = random_case(seed, sum(lengths), peak)
    paths = transitions.best_paths(log_probabilities, np.array(lengths), weight)
    bounds = np.cumsum([0, *lengths])
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b > a:
            assert paths[a:b].tolist() == brute_force(log_probabilities[a:b], transitions, weight)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 60), min_size=1, max_size=8), st.integers(0, 2**31),
       st.sampled_from([0.125, 0.5, 2.0]), st.sampled_from([0.2, 1.0]))
def test_searching_only_between_settled_paragraphs_finds_a_path_as_good_as_searching_everywhere(
        lengths, seed, weight, peak):
    transitions, log_probabilities = random_case(seed, sum(lengths), peak)
    # _viterbi is the full search, the reference here
    everywhere = transitions._viterbi(log_probabilities, np.array(lengths), weight)
    shortcut = transitions.best_paths(log_probabilities, np.array(lengths), weight)
    bounds = np.cumsum([0, *lengths])
    for a, b in zip(bounds[:-1], bounds[1:]):
        if b > a:
            args = log_probabilities[a:b], transitions, weight
            assert path_score(shortcut[a:b], *args) == pytest.approx(path_score(everywhere[a:b], *args))


def test_transitions_are_counted_from_label_sequences_with_add_one_smoothing():
    transitions = Transitions.count([["boilerplate", "article", "article"], ["article"]])
    start = np.exp(transitions.log_start)
    assert start[LABELS.index("article")] == 2 / (K + 2)
    following_article = np.exp(transitions.log_next[LABELS.index("article")])
    assert following_article[LABELS.index("article")] == 2 / (K + 1)
    assert np.allclose(following_article.sum(), 1.0)
