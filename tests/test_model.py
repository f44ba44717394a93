"""The shipped model: loads only where it was made to, and labels like the contract says."""
import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from winnow.document import Document
from winnow.labels import LABELS
from winnow.model import ModelLoadError, _network_proba, _softmax, load_model
from winnow.sequence import clipped_log

MOSCOW_TIMES = Path(__file__).parent / "fixtures" / "moscow-times.txt"


def copy_with_card(model_dir: Path, destination: Path, change) -> Path:
    """A copy of the model whose card `change` has edited."""
    shutil.copytree(model_dir, destination)
    card = json.loads((destination / "card.json").read_text())
    change(card)
    (destination / "card.json").write_text(json.dumps(card))
    return destination


def test_a_model_saved_by_another_scikit_learn_is_refused_with_a_clear_message(model_dir, tmp_path):
    old = copy_with_card(model_dir, tmp_path / "old", lambda card: card["libraries"].update({"scikit-learn": "0.24.2"}))
    with pytest.raises(ModelLoadError, match="saved with scikit-learn 0.24.2"):
        load_model(old)


def test_a_model_fitted_on_other_features_is_refused_with_a_clear_message(model_dir, tmp_path):
    old = copy_with_card(model_dir, tmp_path / "old", lambda card: card.pop("features"))
    with pytest.raises(ModelLoadError, match="features of version 1.*retrain"):
        load_model(old)


def test_a_model_whose_pickle_names_code_that_has_gone_is_refused_with_a_clear_message(model_dir, tmp_path):
    old = copy_with_card(model_dir, tmp_path / "old", lambda card: None)
    # What pickle writes for an object of a class in a module that no longer exists.
    (old / "model.joblib").write_bytes(b"\x80\x04\x95\x1b\x00\x00\x00\x00\x00\x00\x00"
                                       b"\x8c\x0fwinnow.vanished\x94\x8c\x03Old\x94\x93\x94)\x81\x94.")
    with pytest.raises(ModelLoadError, match="saved by other winnow code.*retrain"):
        load_model(old)


def cut_short(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_a_byte_in_the_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage, refusal", [
    (lambda model: cut_short(model / "model.joblib"), "damaged or cut short"),
    (lambda model: flip_a_byte_in_the_middle(model / "model.joblib"), "damaged or cut short"),
    (lambda model: (model / "model.joblib").write_bytes(pickle.dumps({"not": "a model"})), "holds a dict"),
    (lambda model: cut_short(model / "card.json"), "card of the model .* is not JSON"),
    (lambda model: (model / "card.json").write_text("[]"), "card of the model .* is not a JSON object"),
], ids=["model cut short", "model with a flipped byte", "something else pickled", "card cut short", "card not an object"])
def test_a_damaged_model_directory_is_refused_with_a_clear_message(model_dir, tmp_path, damage, refusal):
    damaged = copy_with_card(model_dir, tmp_path / "damaged", lambda card: None)
    damage(damaged)
    with pytest.raises(ModelLoadError, match=refusal):
        load_model(damaged)


def test_a_document_gets_the_same_labels_alone_as_in_a_batch(model_dir):
    model = load_model(model_dir)
    docs = [Document.from_text(f"Headline {i}\nA sentence of the story number {i}.\nDonate\n×") for i in range(5)]
    together = model.classifier.predict(docs)
    for doc, batch_prediction in zip(docs, together):
        [alone] = model.classifier.predict([doc])
        assert alone.labels == batch_prediction.labels
        assert (alone.confidences == batch_prediction.confidences).all()


def test_confidences_are_probabilities_and_empty_documents_have_no_rows(model_dir):
    model = load_model(model_dir)
    probabilities = model.classifier.predict_proba([Document.from_text("One.\nTwo."), Document.from_text("")])
    assert probabilities.shape == (2, 5)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert probabilities.sum(axis=1) == pytest.approx(1.0)


@pytest.mark.parametrize("paragraphs", [[""], ["", "  "], ["×"], ["", "A full sentence of a story."]])
def test_documents_of_blank_or_tiny_paragraphs_get_a_label_for_each(model_dir, paragraphs):
    [prediction] = load_model(model_dir).classifier.predict([Document.from_paragraphs(paragraphs)])
    assert len(prediction.labels) == len(paragraphs)


def test_stage_one_on_the_two_feature_blocks_is_what_scikit_learn_computes_on_them_joined(model_dir):
    classifier = load_model(model_dir).classifier
    features = classifier.featurizer.transform([Document.from_text(MOSCOW_TIMES.read_text())])
    assert np.allclose(classifier.first_stage_proba(features), classifier.first.predict_proba(features.matrix()),
                       atol=1e-6)


def test_a_document_of_one_paragraph_gets_the_first_stages_reading_of_it_calibrated(model_dir):
    classifier = load_model(model_dir).classifier
    texts = ["The talks will go on next week, the president said on Tuesday, despite objections from allies.",
             "Privacy Policy", "Advertisement", "Read more: Trump meets Putin in Helsinki"]
    documents = [Document.from_paragraphs([text]) for text in texts]
    first = classifier.first_stage_proba(classifier.featurizer.transform(documents))
    calibrated = _softmax(clipped_log(first) / classifier.temperature)
    predictions = classifier.predict(documents)
    assert [p.labels[0] for p in predictions] == ["article", "boilerplate", "ad", "headline_teaser"]
    assert [p.labels[0] for p in predictions] == [LABELS[i] for i in first.argmax(axis=1)]
    assert np.allclose([p.confidences[0] for p in predictions], calibrated.max(axis=1))


def test_blank_paragraphs_beside_a_single_one_leave_it_the_first_stages_reading(model_dir):
    classifier = load_model(model_dir).classifier
    alone = Document.from_paragraphs(["Read more: Trump meets Putin in Helsinki"])
    padded = Document.from_paragraphs(["", "Read more: Trump meets Putin in Helsinki", "  ", ""])
    page = Document.from_text(MOSCOW_TIMES.read_text())
    batch = classifier.predict([Document.from_paragraphs([]), padded, page, alone])
    assert batch[1].labels[1] == batch[3].labels[0]
    # Stage one also reads a paragraph's place in the page, which the blank ones move: the padded
    # paragraph gets stage one's reading of it where it stands.
    first = classifier.first_stage_proba(classifier.featurizer.transform([padded]))
    assert batch[1].confidences[1] == pytest.approx(_softmax(clipped_log(first) / classifier.temperature)[1].max())
    assert batch[2].labels == classifier.predict([page])[0].labels


def test_stage_two_is_what_scikit_learn_computes(model_dir):
    classifier = load_model(model_dir).classifier
    document = Document.from_text(MOSCOW_TIMES.read_text())
    features = classifier.featurizer.transform([document])
    rows = classifier._second_stage_features(classifier.first_weights.scores(features), features.shapes,
                                             np.array([len(document)]))
    assert np.array_equal(_network_proba(classifier.second, rows), classifier.second.predict_proba(rows))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # five passes are enough here
def test_a_stage_two_network_of_another_kind_is_refused_rather_than_misread():
    network = MLPClassifier(hidden_layer_sizes=(3,), activation="tanh", max_iter=5).fit(
        np.eye(4), ["article", "ad", "article", "ad"])
    with pytest.raises(ValueError, match="tanh"):
        _network_proba(network, np.eye(4))


def test_a_run_of_gallery_counters_is_not_taken_for_an_appeal(model_dir):
    """Regression: a model that read every digit as 0 took 25 of these 30 counters for appeals
    ("123" read as the "000" of "$50,000")."""
    top = ["Home", "News", "Sports", "The best movies to stream this weekend", "By Jane Doe, USA TODAY",
           "Published 3:04 p.m. ET March 4, 2017", "Here is what to watch this weekend, from old favourites to new releases."]
    counters = [f"{i} of 123" for i in range(1, 31)]
    page = Document.from_paragraphs([*top, *counters, "Copyright 2017 USA TODAY"])
    [prediction] = load_model(model_dir).classifier.predict([page])
    assert "donation_appeal" not in prediction.labels[len(top):-1]
