"""The HTTP contract, checked against the real server started as the README says.

`python -m winnow serve` runs as a subprocess on 127.0.0.1 (one worker, so
that /metrics counts every request); a second one runs with API keys and
the default workers. Every body the server sends is checked against the
schemas of its own /openapi.json.
"""
from __future__ import annotations

import contextlib
import gzip
import json
import random
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
import requests

from serve.openapi import SPEC
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from prometheus_client.parser import text_string_to_metric_families

from winnow import config
from winnow.labels import LABELS

API_KEYS = ("first-key", "second-key")
MAX_PARAGRAPHS = 20_000  # the documented defaults the server runs with here
MAX_DOCUMENTS = 1_000


@contextlib.contextmanager
def running_server(model_dir: Path, log_path: Path, *args: str,
                   **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`python -m winnow serve` on a free port, ready; stopped on exit. Yields (base URL, process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {name: value for name, value in os.environ.items() if not name.startswith("WINNOW_")}
    environment.update(WINNOW_MODEL=str(model_dir), **env)
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "winnow", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=config.PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, process, log_path)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(url + "/ready", timeout=5).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"the server was not ready within 90 s:\n{log_path.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def server(model_dir, tmp_path_factory) -> Iterator[tuple[str, subprocess.Popen, Path]]:
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with running_server(model_dir, log_path, "--workers", "1") as (url, process):
        yield url, process, log_path


@pytest.fixture(scope="session")
def url(server) -> str:
    return server[0]


@pytest.fixture(scope="session")
def keyed_server(model_dir, tmp_path_factory) -> Iterator[tuple[str, Path]]:
    log_path = tmp_path_factory.mktemp("keyed-server") / "server.log"
    with running_server(model_dir, log_path, WINNOW_API_KEYS=" , ".join(API_KEYS)) as (url, _):
        yield url, log_path


@pytest.fixture(scope="session")
def spec(url) -> dict:
    return requests.get(url + "/openapi.json").json()


@pytest.fixture(scope="session")
def conforms(spec):
    """conforms(name, body) -> None: raises unless `body` matches the spec's schema `name`."""
    def check(name: str, body) -> None:
        Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                              "components": spec["components"]}).validate(body)
    return check


def post(url: str, path: str, body, content_type: str | None = "application/json",
         **kwargs) -> requests.Response:
    if content_type == "application/json" and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(url + path, data=body, headers={**headers, **kwargs.pop("headers", {})},
                         timeout=120, **kwargs)


def assert_keeps_the_contract(result: dict, text: str, conforms) -> None:
    """Offsets point into `text`, segments cover every paragraph once, the article is its paragraphs."""
    conforms("Result", result)
    paragraphs = result["paragraphs"]
    assert [p["index"] for p in paragraphs] == list(range(len(paragraphs)))
    for p in paragraphs:
        assert text[p["start"]:p["end"]] == p["text"]
        assert p["label"] in LABELS and 0.0 <= p["confidence"] <= 1.0
    covered = [i for s in result["segments"] for i in range(s["first"], s["last"] + 1)]
    assert covered == list(range(len(paragraphs)))
    for s in result["segments"]:
        assert {paragraphs[i]["label"] for i in range(s["first"], s["last"] + 1)} == {s["label"]}
    assert result["article"] == "\n\n".join(p["text"] for p in paragraphs if p["label"] == "article")


PAGE = ("Menu Home World Business Sport\n"
        "Mayor opens the new bridge after years of delays\n"
        "The mayor opened the bridge on Monday morning, officials said, after a decade of work.\n"
        "Advertisement\n"
        "Please donate to support independent journalism.\n"
        "Read more: Storm hits the coast\n"
        "© 2024 Example News. All rights reserved.\n")


# -- segmenting ----------------------------------------------------------------

def test_a_json_text_document_is_segmented_with_offsets_into_its_text(url, conforms, model_dir):
    response = post(url, "/segment", {"id": "page-1", "text": "  " + PAGE + "\n\n"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    result = response.json()
    assert result["id"] == "page-1"
    assert result["model"] == {key: json.loads((model_dir / "card.json").read_text())[key]
                               for key in ("name", "version")}
    assert [p["text"] for p in result["paragraphs"]] == PAGE.splitlines()
    assert_keeps_the_contract(result, "  " + PAGE + "\n\n", conforms)


def test_json_paragraphs_come_back_each_once_in_order_with_offsets_into_them_joined(url, conforms):
    paragraphs = ["Title", "", "  ", "×", "a\tb", "🙂 emoji", "line\u2028separator", "x" * 5000, "Title"]
    response = post(url, "/segment", {"id": 7, "paragraphs": paragraphs})
    assert response.status_code == 200
    result = response.json()
    assert result["id"] == 7
    assert [p["text"] for p in result["paragraphs"]] == paragraphs
    assert_keeps_the_contract(result, "\n".join(paragraphs), conforms)


def test_a_plain_text_body_is_segmented_like_json_text(url, conforms):
    plain = post(url, "/segment", PAGE.encode(), "text/plain; charset=utf-8")
    assert plain.status_code == 200
    as_json = post(url, "/segment", {"text": PAGE}).json()
    assert plain.json() == as_json
    assert_keeps_the_contract(plain.json(), PAGE, conforms)


def test_control_characters_other_than_nul_are_kept(url, conforms):
    text = "bell\x07 and escape\x1b[0m\nunit\x1fseparator\x7f\ttab"
    response = post(url, "/segment", text.encode(), "text/plain")
    assert response.status_code == 200
    assert [p["text"] for p in response.json()["paragraphs"]] == text.split("\n")
    assert_keeps_the_contract(response.json(), text, conforms)


def test_one_megabyte_on_one_line_is_one_paragraph(url, conforms):
    line = ("word " * 200_000).strip()
    response = post(url, "/segment", line.encode(), "text/plain")
    assert response.status_code == 200
    [paragraph] = response.json()["paragraphs"]
    assert paragraph["text"] == line
    assert_keeps_the_contract(response.json(), line, conforms)


def test_a_json_batch_gives_results_in_order_and_an_error_entry_for_a_bad_document(url, conforms):
    documents = [{"id": "a", "text": PAGE}, {"id": "b", "paragraphs": [1, None]},
                 {"id": 3, "paragraphs": ["Hello.", "Donate now"]}, "not a document", {"id": "e", "text": ""}]
    response = post(url, "/segment/batch", {"documents": documents})
    assert response.status_code == 200
    conforms("BatchResponse", response.json())
    a, b, c, d, e = response.json()["results"]
    assert_keeps_the_contract(a, PAGE, conforms)
    assert b == {"id": "b", "error": {"code": "invalid_paragraphs", "detail": b["error"]["detail"]}}
    assert_keeps_the_contract(c, "Hello.\nDonate now", conforms)
    assert d["id"] is None and d["error"]["code"] == "not_an_object"
    assert e["id"] == "e" and e["paragraphs"] == [] and e["segments"] == []
    assert [a["id"], c["id"]] == ["a", 3]


def test_a_document_gets_the_same_result_in_a_batch_as_alone(url):
    documents = [{"id": i, "text": text} for i, text in enumerate([PAGE, "Donate\n×", PAGE[::-1]])]
    batch = post(url, "/segment/batch", {"documents": documents}).json()["results"]
    alone = [post(url, "/segment", document).json() for document in documents]
    assert batch == alone


def test_an_ndjson_batch_streams_one_result_line_per_document_line(url, conforms):
    lines = [json.dumps({"id": i, "text": f"Story {i}.\n" + PAGE}) for i in range(250)]
    lines[10] = "{not json"
    lines[20] = json.dumps({"id": "no content"})
    body = ("\n".join(lines[:100]) + "\n\n" + "\r\n".join(lines[100:]) + "\n").encode()
    response = post(url, "/segment/batch", body, "application/x-ndjson", stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-ndjson"
    assert "Content-Length" not in response.headers  # sent as it is made, chunk by chunk
    rows = [json.loads(line) for line in response.iter_lines()]
    assert len(rows) == 250
    assert rows[10] == {"id": None, "line": 11, "error": {"code": "invalid_json",
                                                          "detail": rows[10]["error"]["detail"]}}
    assert rows[20]["id"] == "no content" and rows[20]["error"]["code"] == "missing_content"
    for i, row in enumerate(rows):
        if i not in (10, 20):
            assert row["id"] == i
            assert_keeps_the_contract(row, json.loads(lines[i])["text"], conforms)
        else:
            conforms("DocumentError", row)


# -- the other routes ------------------------------------------------------------

def test_health_ready_and_model(url, model_dir):
    card = json.loads((model_dir / "card.json").read_text())
    assert requests.get(url + "/health").json() == {"status": "ok"}
    ready = requests.get(url + "/ready")
    assert ready.status_code == 200
    assert ready.json()["model"] == {"name": card["name"], "version": card["version"]}
    assert requests.get(url + "/model").json() == card


def test_openapi_is_a_valid_openapi_3_1_document_of_every_route(spec):
    validate_openapi(spec)
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/", "/segment", "/segment/batch", "/health", "/ready", "/model",
                                  "/metrics", "/openapi.json"}


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """/metrics as {(sample name, sorted labels): value}, parsed as Prometheus text."""
    response = requests.get(url + "/metrics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def test_metrics_count_requests_latency_paragraphs_by_label_and_errors_by_code(server):
    url, _, log_path = server

    def value(samples, name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0)

    # The server is shared with other tests: compare against the counts before.
    before = scrape(url)
    post(url, "/segment", {"text": PAGE}, headers={"X-Request-ID": "metrics-good"})
    post(url, "/segment", b"{", "application/json", headers={"X-Request-ID": "metrics-bad"})

    def added(samples, name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    def all_counted(samples) -> bool:
        return (added(samples, "winnow_http_requests_total", route="/segment", method="POST", status="200") >= 1
                and added(samples, "winnow_http_requests_total", route="/segment", method="POST", status="400") >= 1
                and added(samples, "winnow_errors_total", code="invalid_json") >= 1
                and added(samples, "winnow_http_request_duration_seconds_bucket", route="/segment", le="+Inf") >= 2
                and sum(added(samples, "winnow_paragraphs_total", label=label) for label in LABELS)
                >= len(PAGE.splitlines()))

    # A request is counted when its response is closed, which can be after the client has read it,
    # and just before its access log line is written: wait for the two lines.
    access_log_until(log_path, "metrics-good", "metrics-bad")
    assert all_counted(scrape(url))


def test_the_page_is_self_contained_html_that_posts_to_segment(url):
    response = requests.get(url + "/")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "<textarea" in page and '"segment"' in page
    assert '("split", "blank-lines")' in page and '("flag_below", "0.6")' in page
    assert "fetch(" in page and "Download JSON" in page
    assert all(label in page for label in LABELS)
    assert "src=\"http" not in page and "href=\"http" not in page and "@import" not in page


# -- bad input: a problem with a status and a code, never a crash -----------------

BAD_SEGMENT_REQUESTS = {
    # name: (content type, body, status, code)
    "empty body": ("application/json", b"", 400, "empty_body"),
    "an empty object": ("application/json", b"{}", 422, "missing_content"),
    "text that is a number": ("application/json", b'{"text": 5}', 422, "invalid_text"),
    "paragraphs that are a string": ("application/json", b'{"paragraphs": "x"}', 422, "invalid_paragraphs"),
    "paragraphs that are not strings": ("application/json", b'{"paragraphs": [1, null]}', 422,
                                        "invalid_paragraphs"),
    "both text and paragraphs": ("application/json", b'{"text": "a", "paragraphs": []}', 422,
                                 "ambiguous_content"),
    "an array": ("application/json", b"[]", 422, "not_an_object"),
    "invalid JSON": ("application/json", b'{"text": "a"', 400, "invalid_json"),
    "NaN": ("application/json", b'{"text": "a", "id": NaN}', 400, "invalid_json"),
    "JSON nested 100,000 deep": ("application/json", b"[" * 100_000, 400, "invalid_json"),
    "invalid UTF-8 in JSON": ("application/json", b'{"text": "caf\xe9"}', 400, "invalid_utf8"),
    "invalid UTF-8 in text": ("text/plain", b"caf\xe9\n", 400, "invalid_utf8"),
    "NUL bytes in text": ("text/plain", b"one\x00two", 400, "binary_content"),
    "an escaped NUL in JSON": ("application/json", b'{"text": "one\\u0000two"}', 400, "binary_content"),
    "a lone surrogate in JSON": ("application/json", b'{"paragraphs": ["\\ud800"]}', 400, "invalid_unicode"),
    "a key given twice": ("application/json", b'{"text": 5, "text": "a"}', 400, "invalid_json"),
    "an id of 1,001 digits": ("application/json", b'{"text": "a", "id": ' + b"9" * 1001 + b"}", 400, "invalid_json"),
    "200,000 one-character lines": ("text/plain", b"a\n" * 200_000, 413, "too_many_paragraphs"),
    "10 MB body": ("text/plain", b"x" * 10_000_000, 413, "body_too_large"),
    "HTML": ("text/html", b"<p>Hello</p>", 415, "unsupported_media_type"),
    "XML": ("application/xml", b"<p>Hello</p>", 415, "unsupported_media_type"),
    "no content type": (None, b"Hello", 415, "unsupported_media_type"),
    "text in another charset": ("text/plain; charset=iso-8859-1", b"caf\xe9\n", 415, "unsupported_charset"),
}


def assert_problem(response: requests.Response, status: int, code: str, conforms) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    conforms("Problem", problem)
    assert problem["status"] == status and problem["code"] == code and problem["detail"]
    assert "Traceback" not in response.text
    return problem


@pytest.mark.parametrize("name", BAD_SEGMENT_REQUESTS)
def test_a_bad_document_gets_a_problem_with_its_status_and_code(url, conforms, name):
    content_type, body, status, code = BAD_SEGMENT_REQUESTS[name]
    assert_problem(post(url, "/segment", body, content_type), status, code, conforms)
    assert requests.get(url + "/health").status_code == 200


def test_flag_below_marks_uncertain_paragraphs_and_a_bad_threshold_is_a_problem(url, conforms):
    flagged = requests.post(url + "/segment?flag_below=0.97", json={"text": PAGE})
    assert flagged.status_code == 200
    conforms("Result", flagged.json())
    paragraphs = flagged.json()["paragraphs"]
    assert [p["uncertain"] for p in paragraphs] == [p["confidence"] < 0.97 for p in paragraphs]
    batch = requests.post(url + "/segment/batch?flag_below=0.5", json={"documents": [{"text": PAGE}]})
    assert all("uncertain" in p for p in batch.json()["results"][0]["paragraphs"])
    for bad in ("abc", "0", "1.5", "nan"):
        problem = assert_problem(requests.post(url + f"/segment?flag_below={bad}", json={"text": PAGE}), 400,
                                 "invalid_threshold", conforms)
        assert "threshold" in problem["detail"]


@pytest.mark.parametrize("path", ["/segment", "/segment/batch"])
@pytest.mark.parametrize("query, code", [("flag-below=0.6", "unknown_parameter"),
                                         ("flag_below=0.6&flag_below=abc", "repeated_parameter"),
                                         ("split=lines&split=blank-lines", "repeated_parameter")])
def test_a_query_parameter_misspelt_or_given_twice_is_a_problem_not_ignored(url, conforms, path, query, code):
    problem = assert_problem(requests.post(f"{url}{path}?{query}", json={"documents": [], "text": "a"}), 400, code,
                             conforms)
    assert query.split("=")[0] in problem["detail"]


def test_split_blank_lines_reads_wrapped_text_as_its_paragraphs_and_a_bad_split_is_a_problem(url, conforms):
    wrapped = "\n\n".join(textwrap.fill(line, 20) for line in PAGE.splitlines())
    one_per_line = requests.post(url + "/segment", json={"text": PAGE}).json()["paragraphs"]
    for response in (requests.post(url + "/segment?split=blank-lines", json={"text": wrapped}),
                     post(url, "/segment?split=blank-lines", wrapped.encode(), "text/plain")):
        assert response.status_code == 200
        conforms("Result", response.json())
        paragraphs = response.json()["paragraphs"]
        assert all(wrapped[p["start"]:p["end"]] == p["text"] for p in paragraphs)
        assert [(p["label"], p["confidence"]) for p in paragraphs] == \
            [(p["label"], p["confidence"]) for p in one_per_line]
    batch = requests.post(url + "/segment/batch?split=blank-lines",
                          json={"documents": [{"text": wrapped}, {"paragraphs": ["a\n\nb"]}]}).json()["results"]
    assert [len(result["paragraphs"]) for result in batch] == [len(one_per_line), 1]
    problem = assert_problem(requests.post(url + "/segment?split=paragraphs", json={"text": PAGE}), 400,
                             "invalid_split", conforms)
    assert "blank-lines" in problem["detail"]


def test_limits_are_named_in_their_problems(url, conforms):
    problem = assert_problem(post(url, "/segment", b"a\n" * 200_000, "text/plain"), 413,
                             "too_many_paragraphs", conforms)
    assert "200000" in problem["detail"] and str(MAX_PARAGRAPHS) in problem["detail"]
    html = assert_problem(post(url, "/segment", b"<p>Hi</p>", "text/html"), 415,
                          "unsupported_media_type", conforms)
    assert "HTML" in html["detail"]


def test_text_declared_as_utf_8_or_ascii_or_json_whatever_it_says_is_read_and_a_compressed_body_is_refused(
        url, conforms):
    for charset in ("utf-8", "UTF8", "utf_8", "us-ascii", "ascii", '"utf-8"', '""'):
        assert post(url, "/segment", b"Home\n", f"text/plain; charset={charset}").status_code == 200
    assert post(url, "/segment", b'{"text": "Home"}', "application/json; charset=windows-1252").status_code == 200
    compressed = post(url, "/segment", gzip.compress(b"Home\n"), "text/plain", headers={"Content-Encoding": "gzip"})
    assert "gzip" in assert_problem(compressed, 415, "unsupported_content_encoding", conforms)["detail"]


def test_a_body_in_a_transfer_coding_other_than_chunked_is_refused_as_compressed(url, conforms):
    host, port = url.removeprefix("http://").split(":")
    body = gzip.compress(b"Home\n")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(b"POST /segment HTTP/1.1\r\nHost: winnow\r\nContent-Type: text/plain\r\n"
                           b"Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n"
                           + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
        status, problem = http_response(connection)
    assert status == 415
    conforms("Problem", problem)
    assert problem["code"] == "unsupported_content_encoding" and "gzip" in problem["detail"]


def test_a_client_that_sends_its_whole_body_before_reading_gets_the_413_not_a_broken_pipe(url, conforms):
    request = urllib.request.Request(url + "/segment", data=b"x" * 6_000_000, headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    problem = json.loads(refused.value.read())
    conforms("Problem", problem)
    assert problem["code"] == "body_too_large"


def test_a_chunked_body_over_the_limit_is_refused_not_cut(url, conforms):
    chunks = (b"x" * 100_000 for _ in range(60))  # 6 MB without a Content-Length
    assert_problem(post(url, "/segment", chunks, "text/plain"), 413, "body_too_large", conforms)


@pytest.mark.parametrize("path, content_type", [("/segment", "text/plain"), ("/segment/batch", "application/x-ndjson")])
@pytest.mark.parametrize("chunks", [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhelloXX0\r\n\r\n", b"-1\r\nhello\r\n0\r\n\r\n"],
                         ids=["size not hex", "no chunk terminator", "negative size"])
def test_a_broken_chunked_body_is_a_bad_request_not_a_server_error(url, conforms, path, content_type, chunks):
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: winnow\r\nContent-Type: {content_type}\r\n"
                           "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode() + chunks)
        status, problem = http_response(connection)
    assert status == 400
    conforms("Problem", problem)
    assert problem["code"] == "invalid_chunked_body"


@pytest.mark.parametrize("request_head, status, code", [
    (b"POST /segment HTTP/1.1\r\nHost: winnow\r\nContent-Length: abc\r\n\r\n", 400, "bad_request"),
    (b"GET /?" + b"q" * 5000 + b" HTTP/1.1\r\nHost: winnow\r\n\r\n", 414, "request_line_too_long"),
    (b"GET /health HTTP/1.1\r\nHost: winnow\r\nX-Big: " + b"x" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
    (b"POST /segment HTTP/1.1\r\nHost: winnow\r\nTransfer-Encoding: br, chunked\r\n\r\n", 501, "not_implemented"),
    (b"POST /segment HTTP/1.1\r\nHost: winnow\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx", 417,
     "expectation_failed"),
], ids=["Content-Length not a number", "request line over 4 KB", "a header over 8 KB", "an unknown transfer coding",
        "an expectation other than 100-continue"])
def test_a_request_gunicorn_cannot_parse_is_answered_with_a_problem_too(url, conforms, request_head, status, code):
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request_head)
        answered, problem = http_response(connection)
    assert answered == status
    conforms("Problem", problem)
    assert problem["code"] == code and problem["status"] == status and problem["detail"]


def test_text_comes_back_as_sent_not_escaped(url):
    response = post(url, "/segment", "Café 🎉 – ünïcode".encode(), "text/plain")
    assert "Café 🎉 – ünïcode".encode() in response.content
    lines = post(url, "/segment/batch", '{"text": "Café 🎉"}\n'.encode(), "application/x-ndjson").content
    assert "Café 🎉".encode() in lines


@pytest.mark.parametrize("content_type, body, status, code", [
    ("application/json", b'{"documents": "x"}', 422, "invalid_batch"),
    ("application/json", b'[{"text": "a"}]', 422, "invalid_batch"),
    ("application/json", json.dumps({"documents": [{"text": "a"}] * (MAX_DOCUMENTS + 1)}).encode(), 413,
     "too_many_documents"),
    ("application/x-ndjson", b'{"text": "a"}\n' * (MAX_DOCUMENTS + 1), 413, "too_many_documents"),
    ("application/x-ndjson", b"", 400, "empty_body"),
    ("text/plain", b"Hello", 415, "unsupported_media_type"),
], ids=["documents not a list", "a bare array", "too many documents", "too many ndjson lines",
        "empty ndjson", "plain text"])
def test_a_bad_batch_fails_whole_with_a_problem(url, conforms, content_type, body, status, code):
    assert_problem(post(url, "/segment/batch", body, content_type), status, code, conforms)


def test_wrong_method_and_unknown_route_are_problems_too(url, conforms):
    wrong_method = requests.get(url + "/segment")
    assert_problem(wrong_method, 405, "method_not_allowed", conforms)
    assert "POST" in wrong_method.headers["Allow"]
    assert_problem(requests.delete(url + "/health"), 405, "method_not_allowed", conforms)
    assert_problem(requests.get(url + "/no/such/route"), 404, "not_found", conforms)


# -- request ids and the access log --------------------------------------------------

def access_log_until(log_path: Path, *request_ids: str) -> list[dict]:
    """The access log's entries, once there is one for each of `request_ids`.

    A line is written when its response is closed, which can be after the
    client has read it: wait for the lines, in no particular order.
    """
    deadline = time.monotonic() + 30
    while True:
        text = log_path.read_text()
        complete = text[:text.rfind("\n") + 1].splitlines()
        entries = [json.loads(line) for line in complete if line.startswith("{")]
        if set(request_ids) <= {entry["request_id"] for entry in entries} or time.monotonic() > deadline:
            return entries
        time.sleep(0.05)


def test_the_request_id_is_echoed_and_the_access_log_has_one_json_line_per_request(server):
    url, _, log_path = server
    mine = requests.post(url + "/segment", json={"text": PAGE}, headers={"X-Request-ID": "client-id.42"})
    assert mine.headers["X-Request-ID"] == "client-id.42"
    insane = requests.get(url + "/health", headers={"X-Request-ID": "no spaces\tor tabs"})
    fresh_id = insane.headers["X-Request-ID"]
    assert fresh_id not in ("", "no spaces\tor tabs")
    entries = access_log_until(log_path, "client-id.42", fresh_id)
    [entry] = [e for e in entries if e["request_id"] == "client-id.42"]
    assert entry["method"] == "POST" and entry["path"] == "/segment" and entry["status"] == 200
    assert entry["paragraphs"] == len(PAGE.splitlines()) and entry["latency_ms"] >= 0
    assert [e["path"] for e in entries if e["request_id"] == fresh_id] == ["/health"]


# -- API keys -----------------------------------------------------------------------------

def test_with_api_keys_a_request_needs_one_of_them(keyed_server, conforms):
    url, log_path = keyed_server
    for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": f"Basic {API_KEYS[0]}"}):
        refused = post(url, "/segment", {"text": PAGE}, headers=headers)
        assert_problem(refused, 401, "unauthorized", conforms)
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    for key in API_KEYS:
        accepted = post(url, "/segment", {"text": PAGE}, headers={"Authorization": f"Bearer {key}"})
        assert accepted.status_code == 200
    assert requests.get(url + "/metrics").status_code == 401
    assert requests.get(url + "/health").status_code == 200
    assert requests.get(url + "/ready", headers={"X-Request-ID": "keyed-last"}).status_code == 200
    access_log_until(log_path, "keyed-last")
    assert not any(key in log_path.read_text() for key in API_KEYS)


def test_without_api_keys_no_key_is_needed(url):
    assert post(url, "/segment", {"text": PAGE}).status_code == 200


# -- starting up and staying up -------------------------------------------------------

def test_serve_refuses_to_start_without_a_model(tmp_path):
    done = subprocess.run([sys.executable, "-m", "winnow", "serve", "--model", str(tmp_path), "--port", "1"],
                          cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "not a winnow model" in done.stderr and "Traceback" not in done.stderr


def test_the_server_is_still_up_after_all_of_the_above(server):
    url, process, _ = server
    assert process.poll() is None
    assert requests.get(url + "/ready").status_code == 200
    assert post(url, "/segment", {"text": PAGE}).status_code == 200


# -- slow clients and memory -------------------------------------------------------------

def http_response(connection: socket.socket) -> tuple[int, dict]:
    """Status and JSON body of the one response on `connection`, read until the server closes it
    or the body is complete."""
    received = b""
    while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < _length(received):
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    status, reason = head.split(b"\r\n")[0].decode("latin-1").split(" ", 2)[1:]
    problem = json.loads(payload)
    if "title" in problem:  # a problem's title is the reason phrase of its status line (in any case)
        assert problem["title"].casefold() == reason.casefold()
    return int(status), problem


def _length(received: bytes) -> int:
    head = received.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    return next(int(line.split(":")[1]) for line in head.splitlines() if line.startswith("content-length:"))


@pytest.fixture(scope="module")
def single_thread_server(model_dir, tmp_path_factory) -> Iterator[str]:
    """A server with one worker of one thread that waits 1 s for a silent client."""
    log_path = tmp_path_factory.mktemp("single-thread-server") / "server.log"
    with running_server(model_dir, log_path, "--workers", "1", "--threads", "1",
                        WINNOW_CLIENT_TIMEOUT="1") as (url, _):
        yield url


def test_a_client_that_stops_sending_its_body_gets_408_and_frees_the_server(single_thread_server, conforms):
    host, port = single_thread_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as stalled:
        stalled.sendall(b"POST /segment HTTP/1.1\r\nHost: winnow\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: 1000\r\n\r\nThe first of a thousand bytes")
        # The only thread is taken by the stalled client until it times out; then this one is served.
        assert post(single_thread_server, "/segment", {"text": PAGE}).status_code == 200
        status, problem = http_response(stalled)
    assert status == 408
    conforms("Problem", problem)
    assert problem["code"] == "request_timeout" and problem["status"] == 408


def test_a_client_that_stops_sending_a_body_over_the_limit_still_gets_413(single_thread_server, conforms):
    host, port = single_thread_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as stalled:
        stalled.sendall(b"POST /segment HTTP/1.1\r\nHost: winnow\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: 10000000\r\n\r\n" + b"x" * 1_000_000)
        status, problem = http_response(stalled)
    assert status == 413
    conforms("Problem", problem)
    assert problem["code"] == "body_too_large"


def test_a_client_that_stops_in_its_headers_is_disconnected_and_frees_the_server(single_thread_server):
    host, port = single_thread_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as stalled:
        stalled.sendall(b"POST /segment HTTP/1.1\r\nHost: win")
        assert post(single_thread_server, "/segment", {"text": PAGE}).status_code == 200
        assert stalled.recv(65536) == b""


def resident_kilobytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    status = Path(f"/proc/{pid}/status").read_text()
    own = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return own + sum(resident_kilobytes(int(child)) for child in children)


def test_memory_returns_to_its_baseline_after_the_largest_bad_and_good_requests(server):
    url, process, _ = server
    largest = [("text/plain", b"x" * 10_000_000), ("text/plain", b"a\n" * 200_000),
               ("text/plain", b"a\n" * (MAX_PARAGRAPHS - 1)), ("text/plain", b"word " * 200_000),
               ("application/json", b"[" * 100_000)]

    def send_all() -> None:
        for content_type, body in largest:
            assert post(url, "/segment", body, content_type).status_code < 500

    send_all()  # the first round fills caches and the allocator's pools: that is the baseline
    baseline = resident_kilobytes(process.pid)
    for _ in range(3):
        send_all()
    assert resident_kilobytes(process.pid) - baseline < 64 * 1024, "the server keeps growing"


def test_a_worker_hands_back_the_memory_of_a_large_batch_once_it_is_answered(server):
    url, process, log_path = server
    rng = random.Random(0)
    # 600,000 distinct short paragraphs in 4.2 MB: kept, they had left the worker 660 MB larger.
    batch = {"documents": [{"text": "\n".join(f"{rng.getrandbits(20):05x}" for _ in range(600))}
                           for _ in range(MAX_DOCUMENTS)]}
    before = resident_kilobytes(process.pid)
    assert post(url, "/segment/batch", batch, headers={"X-Request-ID": "large-batch"}).status_code == 200
    access_log_until(log_path, "large-batch")  # written once the memory has been handed back
    assert resident_kilobytes(process.pid) - before < 400 * 1024


# Generated requests: schemathesis reads the service's own OpenAPI description,
# sends requests made from it (valid and not), and checks each answer against it.
generated = schemathesis.openapi.from_dict(SPEC)


@schemathesis.serializer("application/x-ndjson")
def ndjson_body(context, value) -> bytes:
    """An NDJSON body is described as text, one document a line, and sent as such. A generated
    value that breaks the schema by not being text cannot be sent as text: it goes as the empty
    body, which breaks it too; an example object goes as its one line."""
    if isinstance(value, str):
        return value.encode("utf-8")
    meta = context.case.meta
    return b"" if meta is not None and meta.generation.mode.is_negative else json.dumps(value).encode()


@generated.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_generated_requests_get_answers_that_keep_the_openapi_description(case, url):
    case.call_and_validate(base_url=url)
