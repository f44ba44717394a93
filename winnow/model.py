"""The paragraph classifier: two stages, fit / predict / save / load.

Stage one reads each paragraph on its own (words, character 3-grams, shape,
position, the shape of its neighbours) with a linear model. Stage two reads
the stage-one probabilities of a window of paragraphs around each one, so
that a lone "Continue" inside an appeal or a byline under a teaser takes its
label from the run it stands in; for the paragraph and its next neighbours it
also reads what stage one's text and its shape columns each said apart, so
that it can tell a story-like text in a headline's shape from a story. Stage
two is trained on out-of-fold stage-one results (folds by site), so it learns
how far stage one is to be trusted on pages it has not seen. A document of a
single paragraph, with no context to read, takes stage one's probabilities
instead. The labels are the best path through each page's calibrated
probabilities and the label transitions counted on the training pages, the
transitions at a light weight (winnow.sequence): on the hand-checked dev pages
that gained macro-F1 over stage two's most probable labels for each of three
seeds (``python -m train.context_study``), where a full-weight pass loses.
"""
from __future__ import annotations

import json
import pickle
import platform
import warnings
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Sequence

import joblib
import numpy as np
import scipy
import sklearn
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.neural_network import MLPClassifier

import winnow
from winnow import config
from winnow.arrays import document_bounds, shifted_within_documents, side_by_side
from winnow.document import Document
from winnow.features import FEATURES_VERSION, Features, ParagraphFeaturizer
from winnow.labels import LABEL_INDEX, LABELS
from winnow.sequence import Transitions, clipped_log

MODEL_FILE = "model.joblib"
CONTEXT_SPANS = (8, 15)
NEARBY_MAX = 6
CARD_FILE = "card.json"
TEMPERATURES = np.exp(np.linspace(np.log(0.3), np.log(5.0), 60))
"""The softmax temperatures a fit chooses from, 5 % apart; the shipped model's is 1.25. One at either
end means the training pages were too few to calibrate on."""


class ModelLoadError(RuntimeError):
    """A model directory that cannot be used by this installation."""


@dataclass(frozen=True)
class Prediction:
    """Labels and their confidences for the paragraphs of one document: each label's calibrated
    probability (`ParagraphClassifier.predict_proba`). The labels are a best path through the page,
    so where the run a paragraph stands in overrules its own reading, its label may not be its most
    probable one, and the confidence is low."""

    labels: list[str]
    confidences: np.ndarray


class ParagraphClassifier:
    """Labels the paragraphs of documents with the five labels of `LABELS`.

    `epochs` is the most passes stage one's SGD makes (it stops once it
    converges); `stage_two_epochs` the passes stage two's network makes, all
    of them. The defaults are in `winnow.config`, with how they were chosen.
    """

    def __init__(self, window: int = config.STAGE_TWO_WINDOW, folds: int = config.FOLDS, alpha: float = config.ALPHA,
                 epochs: int = config.EPOCHS, stage_two_epochs: int = config.STAGE_TWO_EPOCHS,
                 transition_weight: float = config.TRANSITION_WEIGHT,
                 seed: int = config.SEED):
        self.window = window
        self.folds = folds
        self.alpha = alpha
        self.epochs = epochs
        self.stage_two_epochs = stage_two_epochs
        self.transition_weight = transition_weight
        self.seed = seed
        self.featurizer = ParagraphFeaturizer()
        self.first: SGDClassifier | None = None
        self.second: MLPClassifier | None = None
        self.transitions: Transitions | None = None
        self.temperature = 1.0

    # -- fitting -----------------------------------------------------------
    def fit(self, documents: Sequence[Document], labels: Sequence[Sequence[str]],
            groups: Sequence[object], progress: Callable[[str], None] = print) -> "ParagraphClassifier":
        """Fit both stages and calibrate them; `groups` names each document's fold group (its site).

        Stage two is also fitted once per fold without that fold's pages, and
        reads each held-out page through stage one's results for it from the
        stage one fitted without its fold, so every training paragraph gets a
        reading from networks that never saw its site. Not quite blind: the
        other folds' stage-one results came from models that did see the
        fold, and the label transitions are counted on every page. The
        temperature is fitted to those readings (fitted on the train split,
        that gives the temperature a fit on the dev split gives, 1.25, and the
        same dev calibration error, 0.008), and they are kept as
        `cross_validated_`, one `Prediction` per document, for the card (not
        saved with the model).
        """
        features = self.featurizer.transform(documents)
        X = features.matrix()
        y = _label_indices(labels)
        lengths = np.array([len(d) for d in documents])
        splitter = GroupKFold(n_splits=self.folds, shuffle=True, random_state=self.seed)
        folds = list(splitter.split(X, y, np.repeat(np.asarray(groups), lengths)))
        out_of_fold = self._first_stage_out_of_fold(features, X, y, folds, progress)
        progress("stage 1, all data")
        self.first = self._first_stage().fit(X, y)
        self.__dict__.pop("first_weights", None)  # laid out anew from this fit when next used
        progress("stage 2")
        inputs = self._second_stage_features(out_of_fold, features.shapes, lengths)
        self.second = self._fitted_second_stage(inputs, y)
        self.transitions = Transitions.count(labels)
        held_out = self._second_stage_out_of_fold(inputs, y, folds, progress)
        alone = _alone(features.blank, lengths)
        held_out[alone] = _first_stage_proba(out_of_fold[alone])
        self.temperature = _fitted_temperature(held_out, y)
        self.cross_validated_ = self._decode(_softmax(clipped_log(held_out) / self.temperature), lengths)
        return self

    def _first_stage_out_of_fold(self, features: Features, X, y: np.ndarray,
                                 folds: Sequence[tuple[np.ndarray, np.ndarray]], progress) -> np.ndarray:
        """Stage-one scores (`FirstStageWeights.scores`) of every paragraph from a model that did not see its
        fold group; `X` is `features.matrix()`."""
        out_of_fold = np.zeros((X.shape[0], 2 * len(LABELS)), dtype=np.float32)
        for fold, (train, held_out) in enumerate(folds, 1):
            progress(f"stage 1, fold {fold}/{self.folds}")
            first = self._first_stage().fit(X[train], y[train])
            # Scoring every row and keeping the held-out ones costs a second next to the fit's minute.
            out_of_fold[held_out] = FirstStageWeights.of(first, self.featurizer.n_hashed).scores(features)[held_out]
        return out_of_fold

    def _second_stage_out_of_fold(self, inputs: np.ndarray, y: np.ndarray,
                                  folds: Sequence[tuple[np.ndarray, np.ndarray]], progress) -> np.ndarray:
        """Stage-two probabilities of every paragraph from a network that did not see its fold group,
        read from stage one's out-of-fold results: how sure stage two is on pages of sites it has not
        seen, for the temperature. (A network costs a tenth of a stage-one fit.)"""
        probabilities = np.zeros((len(y), len(LABELS)))
        for fold, (train, held_out) in enumerate(folds, 1):
            progress(f"stage 2, fold {fold}/{self.folds}")
            network = self._fitted_second_stage(inputs[train], y[train])
            probabilities[held_out] = network.predict_proba(inputs[held_out])
        return probabilities

    def _fitted_second_stage(self, inputs: np.ndarray, y: np.ndarray) -> MLPClassifier:
        # A small neural network: as accurate here as gradient-boosted trees, and
        # two matrix products to predict instead of hundreds of trees.
        network = MLPClassifier(hidden_layer_sizes=(config.STAGE_TWO_UNITS,), batch_size=config.STAGE_TWO_BATCH,
                                max_iter=self.stage_two_epochs,
                                n_iter_no_change=self.stage_two_epochs, random_state=self.seed)
        with warnings.catch_warnings():
            # It stops after a number of passes chosen on dev, not at convergence, by design.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return network.fit(inputs, y)

    def _first_stage(self) -> SGDClassifier:
        # Logistic loss fitted by SGD: as good as lbfgs here and ten times faster.
        return SGDClassifier(loss="log_loss", alpha=self.alpha, class_weight="balanced",
                             max_iter=self.epochs, tol=1e-4, random_state=self.seed)

    # -- predicting --------------------------------------------------------
    @cached_property
    def first_weights(self) -> FirstStageWeights:
        """Stage one's coefficients laid out for scoring: made on first use, never saved."""
        return FirstStageWeights.of(self.first, self.featurizer.n_hashed)

    def predict_proba(self, documents: Sequence[Document]) -> np.ndarray:
        """Calibrated probabilities (by the temperature `fit` set), one row per paragraph of every
        document, columns in `LABELS` order: stage two's, or in a document of a single paragraph, stage one's."""
        return self._second_stage_proba(documents, self.temperature)

    def predict(self, documents: Sequence[Document]) -> list[Prediction]:
        """Each paragraph's label on the best label path through its document, and that label's
        probability, document by document.

        The path scores stage two's log-probabilities plus the learned label
        transitions at `transition_weight` (winnow.sequence): a lone paragraph
        that stage two is unsure of takes the label of the run it stands in.
        """
        return self._decode(self.predict_proba(documents), np.array([len(d) for d in documents]))

    def _decode(self, probabilities: np.ndarray, lengths: np.ndarray) -> list[Prediction]:
        """`Prediction`s from the calibrated probabilities of documents of `lengths` paragraphs."""
        lengths = lengths.astype(np.int64)
        best = self.transitions.best_paths(clipped_log(probabilities), lengths, self.transition_weight)
        confidence = probabilities[np.arange(len(best)), best]
        names = np.asarray(LABELS)[best]
        bounds = np.cumsum([0, *lengths])
        return [Prediction(names[a:b].tolist(), confidence[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]

    def _second_stage_proba(self, documents: Sequence[Document], temperature: float) -> np.ndarray:
        if self.first is None or self.second is None:
            raise RuntimeError("the classifier has not been fitted")
        if not any(len(d) for d in documents):
            return np.zeros((0, len(LABELS)))
        features = self.featurizer.transform(documents)
        lengths = np.array([len(d) for d in documents])
        scores = self.first_weights.scores(features)
        probabilities = _network_proba(self.second, self._second_stage_features(scores, features.shapes, lengths))
        # A document of one paragraph (blank ones aside) has no context for stage two to read, and stage
        # two was fitted on none: stage one's reading of the paragraph is taken instead (dev pages cut
        # into single paragraphs, macro-F1: stage one 0.640, stage two 0.581; from two paragraphs on
        # stage two is better, 0.723 against 0.683). Stage two's temperature (1.25) brings the
        # calibration error on those paragraphs (ten bins) from 0.060 to 0.017.
        alone = _alone(features.blank, lengths)
        probabilities[alone] = _first_stage_proba(scores[alone])
        if temperature == 1.0:
            return probabilities
        return _softmax(clipped_log(probabilities) / temperature)

    def first_stage_proba(self, features: Features) -> np.ndarray:
        """Stage one's `predict_proba` on the two blocks of `features` without joining them."""
        return _first_stage_proba(self.first_weights.scores(features))

    def _second_stage_features(self, scores: np.ndarray, shapes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """What stage two reads for each paragraph: stage-one results around it, its shape, its position.

        Stage one's probabilities of each neighbour within `window`, their mean
        over the 8 and the 15 paragraphs before and after, over everything
        before and after it and over the whole document, and their maximum
        within 6 either side (one strong "Donate" nearby marks a whole appeal);
        and stage one's two scores (`FirstStageWeights.scores`) of the paragraph and
        of the one before and after it.
        """
        proba = _first_stage_proba(scores)
        n = proba.shape[0]
        rows = np.arange(n)
        starts, ends = document_bounds(lengths)
        # Sums in float64: in float32 a late document of a large batch would lose digits to the running total.
        running = np.vstack([np.zeros((1, proba.shape[1])), np.cumsum(proba, axis=0, dtype=np.float64)])

        def mean_over(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
            """Mean of rows lo..hi-1 of the same document (0 where that is empty)."""
            lo, hi = np.clip(lo, starts, ends), np.clip(hi, starts, ends)
            return (running.take(hi, axis=0) - running.take(lo, axis=0)) / np.maximum(hi - lo, 1)[:, None]

        columns = [proba]
        nearby_max = np.zeros_like(proba)
        for offset in range(-NEARBY_MAX, NEARBY_MAX + 1):
            if offset == 0:
                continue
            shifted, inside = shifted_within_documents(proba, (starts, ends), offset)
            nearby_max = np.maximum(nearby_max, shifted)
            if abs(offset) <= self.window:
                columns += [shifted, inside]
        for span in CONTEXT_SPANS:
            columns += [mean_over(rows - span, rows), mean_over(rows + 1, rows + 1 + span)]
        columns += [mean_over(starts, rows), mean_over(rows + 1, ends), mean_over(starts, ends), nearby_max, shapes,
                    (rows - starts) / np.maximum(ends - starts - 1, 1), np.log1p(ends - starts), scores]
        # A missing neighbour's scores are 0, as its probabilities are: the "inside" columns above tell.
        columns += [shifted_within_documents(scores, (starts, ends), offset)[0] for offset in (-1, 1)]
        return side_by_side(columns)

    # -- persistence -------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        # What is derived from the fitted stages is made again on use; the file holds them once. The
        # cross-validated labels of the training pages are for the card, not the file.
        return {name: value for name, value in self.__dict__.items()
                if name not in ("first_weights", "cross_validated_")}

    def save(self, directory: str | Path, card: dict[str, Any]) -> dict[str, Any]:
        """Write the model and its card (with library versions and labels added) to `directory`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        card = {**card, "labels": list(LABELS), "features": FEATURES_VERSION, "libraries": library_versions(),
                "temperature": self.temperature}
        joblib.dump(self, directory / MODEL_FILE, compress=3)
        (directory / CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        return card


@dataclass(frozen=True)
class LoadedModel:
    """A fitted classifier with the card it was saved with."""

    classifier: ParagraphClassifier
    card: dict[str, Any]

    @property
    def info(self) -> dict[str, str]:
        return {"name": self.card.get("name", "unnamed"), "version": self.card.get("version", "")}


def library_versions() -> dict[str, str]:
    return {"python": platform.python_version(), "winnow": winnow.__version__,
            "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "joblib": joblib.__version__}


def load_model(directory: str | Path = config.DEFAULT_MODEL_DIR) -> LoadedModel:
    """Load a model directory (the shipped default model unless told otherwise), refusing one
    saved by another scikit-learn version."""
    directory = Path(directory)
    card_path, model_path = directory / CARD_FILE, directory / MODEL_FILE
    if not card_path.is_file() or not model_path.is_file():
        raise ModelLoadError(f"{directory} is not a winnow model: it needs {CARD_FILE} and {MODEL_FILE}")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"the card of the model in {directory} is not JSON ({error}); retrain it with "
                             f"`python -m winnow train`") from None
    if not isinstance(card, dict):
        raise ModelLoadError(f"the card of the model in {directory} is not a JSON object")
    saved_with = card.get("libraries", {}).get("scikit-learn")
    if saved_with != sklearn.__version__:
        raise ModelLoadError(
            f"the model in {directory} was saved with scikit-learn {saved_with} but this is "
            f"scikit-learn {sklearn.__version__}; install the version in requirements.txt "
            f"or retrain with `python -m winnow train`")
    if card.get("features") != FEATURES_VERSION:
        raise ModelLoadError(
            f"the model in {directory} was fitted on features of version {card.get('features', 1)}; this code "
            f"computes version {FEATURES_VERSION}; retrain it with `python -m winnow train`")
    if card.get("labels") != list(LABELS):
        raise ModelLoadError(f"the model in {directory} has labels {card.get('labels')}, expected {list(LABELS)}")
    try:
        classifier = joblib.load(model_path)
    except (ModuleNotFoundError, AttributeError) as error:
        # A class the pickle names has moved or gone since the model was saved.
        raise ModelLoadError(f"the model in {directory} was saved by other winnow code ({error}); "
                             f"retrain it with `python -m winnow train`") from error
    except (EOFError, ValueError, pickle.UnpicklingError, zlib.error) as error:
        raise ModelLoadError(f"{model_path} is damaged or cut short ({type(error).__name__}: {error}); copy it "
                             f"again or retrain it with `python -m winnow train`") from None
    if not isinstance(classifier, ParagraphClassifier):
        raise ModelLoadError(f"{model_path} holds a {type(classifier).__name__}, not a winnow classifier")
    return LoadedModel(classifier, card)


@dataclass(frozen=True)
class FirstStageWeights:
    """Stage one's coefficients laid out for the two feature blocks, one column per label.

    Each block is contiguous: a sparse product copies a strided view of the
    coefficients on every call, which took a third of the time of labelling
    one document.
    """

    hashed: np.ndarray
    dense: np.ndarray
    intercept: np.ndarray

    @classmethod
    def of(cls, first: SGDClassifier, n_hashed: int) -> "FirstStageWeights":
        return cls(np.ascontiguousarray(first.coef_[:, :n_hashed].T),
                   np.ascontiguousarray(first.coef_[:, n_hashed:].T), first.intercept_)

    def scores(self, features: Features) -> np.ndarray:
        """Stage one's decision scores of each label, split in two: what the words and character
        3-grams said (five columns) and what the shape, position and neighbours' shape said with the
        intercept (five more). Computed on the two blocks of `features` without joining them, and
        the hashed block once per distinct text."""
        hashed = (features.distinct_hashed @ self.hashed).take(features.text_of, axis=0)
        return side_by_side([hashed, features.dense_product(self.dense) + self.intercept])


def _first_stage_proba(scores: np.ndarray) -> np.ndarray:
    """Probabilities from `FirstStageWeights.scores`: each label's score through the logistic
    function, normalised to sum to one, as scikit-learn does for one-vs-rest log loss."""
    probabilities = expit(scores[:, :len(LABELS)] + scores[:, len(LABELS):])
    return (probabilities / probabilities.sum(axis=1, keepdims=True)).astype(np.float32)


def _alone(blank: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Which paragraphs are the one non-blank paragraph of their document."""
    written = np.bincount(np.repeat(np.arange(len(lengths)), lengths), weights=~blank, minlength=len(lengths))
    return np.repeat(written == 1, lengths)


def _fitted_temperature(probabilities: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature of `TEMPERATURES` that minimises the log-loss of `probabilities` against
    labels `y`."""
    logits = clipped_log(probabilities)
    losses = [-np.mean(np.log(_softmax(logits / t)[np.arange(len(y)), y] + 1e-12)) for t in TEMPERATURES]
    return float(TEMPERATURES[int(np.argmin(losses))])


def _network_proba(network: MLPClassifier, rows: np.ndarray) -> np.ndarray:
    """``network.predict_proba(rows)`` for stage two's network (ReLU hidden layers, a softmax out), the
    same arithmetic without scikit-learn's checks of its input, which took a tenth of the time of
    labelling one page: the rows are made by this class and known to be sound."""
    if network.activation != "relu" or network.out_activation_ != "softmax":
        raise ValueError(f"stage two is read as a ReLU network with a softmax out, not {network.activation} "
                         f"with {network.out_activation_}")
    activation = rows
    for layer, (weights, bias) in enumerate(zip(network.coefs_, network.intercepts_), 1):
        activation = activation @ weights
        activation += bias
        if layer < len(network.coefs_):
            np.maximum(activation, 0, out=activation)
    return _softmax(activation)


def _label_indices(labels: Sequence[Sequence[str]]) -> np.ndarray:
    return np.array([LABEL_INDEX[label] for doc in labels for label in doc], dtype=np.int64)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
