"""Labels become a result whose segments cover every paragraph exactly once."""
from winnow.document import Document
from winnow.segment import result

MODEL = {"name": "test", "version": "0"}


def test_segments_are_maximal_runs_of_one_label_with_offsets_into_the_text():
    doc = Document.from_text("Headline\nBody.\nMore body.\nDonate\n×")
    labels = ["article", "article", "article", "donation_appeal", "donation_appeal"]
    out = result(doc, labels, [0.9] * 5, MODEL)
    assert [(s["label"], s["first"], s["last"]) for s in out["segments"]] == [
        ("article", 0, 2), ("donation_appeal", 3, 4)]
    first, second = out["segments"]
    assert doc.text[first["start"]:first["end"]] == "Headline\nBody.\nMore body."
    assert doc.text[second["start"]:second["end"]] == "Donate\n×"


def test_the_article_is_its_paragraphs_joined_by_blank_lines():
    doc = Document.from_paragraphs(["Menu", "Title", "Body.", "Related story…"])
    out = result(doc, ["boilerplate", "article", "article", "headline_teaser"], [0.5] * 4, MODEL)
    assert out["article"] == "Title\n\nBody."


def test_each_paragraph_keeps_its_index_text_label_confidence_and_offsets():
    doc = Document.from_paragraphs(["a", "", "b"], id="doc-1")
    out = result(doc, ["ad", "boilerplate", "ad"], [0.25, 0.5, 1.0], MODEL)
    assert out["id"] == "doc-1" and out["model"] == MODEL
    assert out["paragraphs"][1] == {"index": 1, "text": "", "label": "boilerplate",
                                    "confidence": 0.5, "start": 2, "end": 2}


def test_an_empty_document_has_no_paragraphs_and_no_segments():
    out = result(Document.from_text(""), [], [], MODEL)
    assert out["paragraphs"] == [] and out["segments"] == [] and out["article"] == ""


def test_with_a_threshold_each_paragraph_says_whether_its_confidence_is_below_it():
    doc = Document.from_paragraphs(["a", "b", "c"])
    out = result(doc, ["ad", "ad", "article"], [0.3, 0.6, 0.95], MODEL, flag_below=0.6)
    assert [p["uncertain"] for p in out["paragraphs"]] == [True, False, False]
    assert "uncertain" not in result(doc, ["ad", "ad", "article"], [0.3, 0.6, 0.95], MODEL)["paragraphs"][0]

