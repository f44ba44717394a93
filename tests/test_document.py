"""A document's paragraphs always point back into the text they came from."""
import pytest
from hypothesis import example, given, strategies as st

from winnow.document import BLANK_LINES, SPLITS, Document, count_paragraphs

# Text full of the characters that make splitting hard: every kind of line
# break, tabs, non-breaking and other Unicode spaces, emoji, combining marks.
awkward_text = st.text(alphabet=st.sampled_from(
    list("ab Z.…×\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\u00a0\u3000\u200b🙂é\u0301")) | st.characters(),
    max_size=300)


@given(awkward_text, st.sampled_from(SPLITS))
def test_every_paragraph_is_exactly_the_text_between_its_offsets_however_text_is_split(text, split):
    doc = Document.from_text(text, split=split)
    assert [text[start:end] for start, end in zip(doc.starts, doc.ends)] == list(doc.paragraphs)
    assert count_paragraphs(text, split) == len(doc)


@given(awkward_text)
def test_paragraphs_are_stripped_non_blank_lines_in_order(text):
    doc = Document.from_text(text)
    assert list(doc.paragraphs) == [line.strip() for line in text.splitlines() if line.strip()]
    assert list(doc.starts) == sorted(doc.starts)


@given(st.lists(st.text(max_size=40), max_size=20))
def test_given_paragraphs_are_kept_as_they_are_and_offsets_point_into_their_join(paragraphs):
    doc = Document.from_paragraphs(paragraphs)
    assert list(doc.paragraphs) == paragraphs
    assert doc.text == "\n".join(paragraphs)
    assert [doc.text[s:e] for s, e in zip(doc.starts, doc.ends)] == paragraphs


def test_blank_lines_and_windows_line_ends_separate_paragraphs():
    doc = Document.from_text("Title line\n\nBody one.\r\nBody two.\n")
    assert doc.paragraphs == ("Title line", "Body one.", "Body two.")
    assert doc.starts == (0, 12, 23)


def test_a_text_with_no_paragraphs_is_an_empty_document():
    assert len(Document.from_text(" \n\t\n")) == 0


@given(awkward_text)
@example("a\x85\x85b")
@example("a\r\r\nb")
@example("a\u2028 \u2029b")
@example("a\x1c\x1cb")
@example("\r\n\r\nx\n\n")
@example("a\r\nb\x0b\x0cc")
@example("a\n\x1f\nb")
def test_split_at_blank_lines_a_paragraph_is_a_run_of_non_blank_lines_stripped(text):
    runs, run = [], ""
    for line in text.splitlines(keepends=True):
        if line.strip():
            run += line
        elif run:
            runs, run = [*runs, run.strip()], ""
    expected = [*runs, run.strip()] if run else runs
    assert list(Document.from_text(text, split=BLANK_LINES).paragraphs) == expected


def test_text_wrapped_at_a_fixed_width_keeps_its_line_breaks_inside_the_paragraph():
    text = "  Headline\r\n\r\nThe first paragraph is\r\nwrapped over two lines.\r\n \t \r\n\nSecond one.\n"
    doc = Document.from_text(text, split=BLANK_LINES)
    assert doc.paragraphs == ("Headline", "The first paragraph is\r\nwrapped over two lines.", "Second one.")
    assert doc.starts == (2, 14, 69)


def test_an_unknown_split_is_refused():
    with pytest.raises(ValueError, match="blank-lines"):
        Document.from_text("a", split="sentences")
