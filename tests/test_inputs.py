"""What users send is checked field by field, with a stable error code for each fault."""
import pytest

from winnow.inputs import (MAX_INT_DIGITS, InvalidInput, confidence_threshold, decode_text, document_from_json,
                           json_value, paragraph_split)


@pytest.mark.parametrize("obj, code", [
    ([], "not_an_object"),
    ("text", "not_an_object"),
    ({}, "missing_content"),
    ({"text": "a", "paragraphs": ["a"]}, "ambiguous_content"),
    ({"text": 5}, "invalid_text"),
    ({"paragraphs": "x"}, "invalid_paragraphs"),
    ({"paragraphs": [1, None]}, "invalid_paragraphs"),
    ({"id": {"a": 1}, "text": "a"}, "invalid_id"),
    ({"id": True, "text": "a"}, "invalid_id"),
    ({"text": "a\x00b"}, "binary_content"),
    ({"paragraphs": ["ok", "a\x00b"]}, "binary_content"),
])
def test_malformed_documents_are_refused_with_their_code(obj, code):
    with pytest.raises(InvalidInput) as error:
        document_from_json(obj)
    assert error.value.code == code
    assert error.value.detail


def test_a_document_over_the_paragraph_limit_is_refused_with_the_limit_in_the_message():
    with pytest.raises(InvalidInput) as error:
        document_from_json({"paragraphs": ["a"] * 11}, max_paragraphs=10)
    assert error.value.code == "too_many_paragraphs" and "10" in error.value.detail


def test_ids_may_be_strings_numbers_or_absent():
    assert document_from_json({"id": 7, "text": "a"}).id == 7
    assert document_from_json({"id": "x", "paragraphs": []}).id == "x"
    assert document_from_json({"text": "a"}).id is None


def test_text_must_be_utf8_without_nul_bytes():
    assert decode_text("\ufeffcafé".encode("utf-8")) == "café"
    with pytest.raises(InvalidInput, match="UTF-8") as error:
        decode_text(b"caf\xe9")
    assert error.value.code == "invalid_utf8"
    with pytest.raises(InvalidInput) as error:
        decode_text(b"PK\x03\x04\x00\x00")
    assert error.value.code == "binary_content"


def test_lone_surrogates_from_json_escapes_are_refused():
    with pytest.raises(InvalidInput) as error:
        document_from_json({"paragraphs": ["fine", "half \ud800 a pair"]})
    assert error.value.code == "invalid_unicode"


def test_a_huge_text_is_refused_by_count_before_it_is_split():
    with pytest.raises(InvalidInput) as error:
        document_from_json({"text": "x\n" * 200_000}, max_paragraphs=20_000)
    assert error.value.code == "too_many_paragraphs" and "200000" in error.value.detail


def test_the_paragraph_limit_counts_paragraphs_as_the_text_is_split():
    wrapped = {"text": "one\nparagraph\n\nand\nanother"}
    assert len(document_from_json(wrapped, max_paragraphs=2, split="blank-lines")) == 2
    with pytest.raises(InvalidInput, match="4 paragraphs"):
        document_from_json(wrapped, max_paragraphs=2)


def test_a_split_is_lines_or_blank_lines():
    assert [paragraph_split(raw) for raw in ("lines", "blank-lines")] == ["lines", "blank-lines"]
    with pytest.raises(InvalidInput) as error:
        paragraph_split("blank_lines")
    assert error.value.code == "invalid_split" and "blank-lines" in error.value.detail


@pytest.mark.parametrize("raw, value", [("0.6", 0.6), ("1", 1.0), ("1.", 1.0), (".5", 0.5), ("5e-1", 0.5)])
def test_a_threshold_is_a_plain_decimal(raw, value):
    assert confidence_threshold(raw) == value


@pytest.mark.parametrize("raw", ["0.5_0", "+0.5", " 0.5", "0.5\n", "٠.٥"])
def test_what_float_would_read_but_is_no_plain_decimal_is_refused(raw):
    with pytest.raises(InvalidInput) as error:
        confidence_threshold(raw)
    assert error.value.code == "invalid_threshold" and "such as 0.6" in error.value.detail


@pytest.mark.parametrize("raw", ["0", "0.", "1.5", "1e1", "nan", "-0.5"])
def test_a_threshold_of_0_or_past_1_is_refused(raw):
    with pytest.raises(InvalidInput) as error:
        confidence_threshold(raw)
    assert error.value.code == "invalid_threshold"


@pytest.mark.parametrize("number", ["9" * MAX_INT_DIGITS, "-" + "9" * MAX_INT_DIGITS])
def test_a_whole_number_of_up_to_max_int_digits_is_read(number):
    assert json_value(f'{{"id": {number}}}'.encode()) == {"id": int(number)}


@pytest.mark.parametrize("number", ["9" * (MAX_INT_DIGITS + 1), "-" + "9" * (MAX_INT_DIGITS + 1)])
def test_a_longer_whole_number_is_refused_as_invalid_json(number):
    with pytest.raises(InvalidInput) as refused:
        json_value(f'{{"id": {number}}}'.encode())
    assert refused.value.code == "invalid_json" and f"{MAX_INT_DIGITS + 1} digits" in refused.value.detail
