"""The app in process, with small limits: settings, limits, batching, faults, and how it is served."""
from __future__ import annotations

import json

import pytest

import serve.main
import winnow.segment
from serve.app import create_app
from serve.settings import Settings, SettingsError

SMALL = Settings(max_body_bytes=2_000, max_paragraphs=5, max_documents=3, ndjson_chunk=2)


@pytest.fixture(scope="module")
def app(model_dir):
    return create_app(model_dir, SMALL)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def labelling_calls(monkeypatch):
    """The number of documents in each call that labels them."""
    calls = []
    real = winnow.segment.segment_documents

    def counting(model, documents, flag_below=None):
        calls.append(len(documents))
        return real(model, documents, flag_below)

    monkeypatch.setattr(winnow.segment, "segment_documents", counting)
    return calls


# -- settings ------------------------------------------------------------------------

def test_settings_have_documented_defaults_without_environment():
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_body_bytes == 5_000_000
    assert (settings.max_paragraphs, settings.max_documents) == (20_000, 1_000)
    assert settings.api_keys == ()


def test_settings_come_from_environment_variables():
    settings = Settings.from_env({"HOST": "0.0.0.0", "PORT": "9000", "WINNOW_MODEL": "/models/x",
                                  "WINNOW_WORKERS": "3", "WINNOW_THREADS": "1", "WINNOW_TIMEOUT": "30",
                                  "WINNOW_MAX_BODY_BYTES": "100", "WINNOW_MAX_PARAGRAPHS": "10",
                                  "WINNOW_MAX_DOCUMENTS": "2", "WINNOW_NDJSON_CHUNK": "7",
                                  "WINNOW_API_KEYS": " one, ,two ,"})
    assert settings == Settings(host="0.0.0.0", port=9000, model_dir=settings.model_dir, workers=3, threads=1,
                                timeout=30, max_body_bytes=100, max_paragraphs=10, max_documents=2,
                                ndjson_chunk=7, api_keys=("one", "two"))
    assert str(settings.model_dir) == "/models/x"
    assert "one" not in repr(settings)


@pytest.mark.parametrize("name, value", [
    ("PORT", "http"), ("PORT", "70000"), ("PORT", "8_080"), ("PORT", " 8080"), ("PORT", "٨٠٨٠"), ("WINNOW_WORKERS", "0"),
    ("WINNOW_WORKERS", "+2"), ("WINNOW_MAX_PARAGRAPHS", "-5")])
def test_a_setting_that_is_not_a_positive_number_is_refused_by_name(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


# -- limits ---------------------------------------------------------------------------

def test_limits_from_the_settings_are_applied_and_named(client):
    too_long = client.post("/segment", json={"paragraphs": ["a"] * 6})
    assert too_long.status_code == 413 and too_long.json["code"] == "too_many_paragraphs"
    assert "limit is 5" in too_long.json["detail"]
    assert client.post("/segment", json={"paragraphs": ["a"] * 5}).status_code == 200
    too_big = client.post("/segment", data="x" * 2_001, content_type="text/plain")
    assert too_big.status_code == 413 and too_big.json["code"] == "body_too_large"
    assert "2000 bytes" in too_big.json["detail"]
    too_many = client.post("/segment/batch", json={"documents": [{"text": "a"}] * 4})
    assert too_many.status_code == 413 and too_many.json["code"] == "too_many_documents"


def test_in_a_batch_a_document_over_the_paragraph_limit_is_an_error_entry(client):
    response = client.post("/segment/batch", json={"documents": [{"id": 1, "paragraphs": ["a"] * 6},
                                                                 {"id": 2, "text": "a"}]})
    first, second = response.json["results"]
    assert first["id"] == 1 and first["error"]["code"] == "too_many_paragraphs"
    assert second["id"] == 2 and len(second["paragraphs"]) == 1


# -- batching ---------------------------------------------------------------------------

def test_a_json_batch_labels_all_its_valid_documents_in_one_call(client, labelling_calls):
    documents = [{"text": "a"}, {"text": 5}, {"paragraphs": ["b", "c"]}]
    assert client.post("/segment/batch", json={"documents": documents}).status_code == 200
    assert labelling_calls == [2]


def test_an_ndjson_batch_labels_chunk_by_chunk(client, labelling_calls):
    body = "".join(json.dumps({"id": i, "text": "a"}) + "\n" for i in range(3))
    response = client.post("/segment/batch", data=body, content_type="application/x-ndjson")
    assert [json.loads(line)["id"] for line in response.text.splitlines()] == [0, 1, 2]
    assert labelling_calls == [2, 1]


# -- faults -----------------------------------------------------------------------------

def test_a_fault_in_the_server_is_a_500_problem_without_a_traceback_but_logged(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(winnow.segment, "segment_documents", broken)
    response = client.post("/segment", json={"text": "a"})
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert response.json["code"] == "internal_error"
    assert "secret internals" not in response.text and "Traceback" not in response.text
    [logged] = [record for record in caplog.records if record.exc_info]
    assert logged.exc_info[1].args == ("secret internals",)


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/health").headers["X-Request-ID"]) == 32
    assert client.get("/nowhere", headers={"X-Request-ID": "abc-1"}).headers["X-Request-ID"] == "abc-1"


def test_metrics_count_each_request_once(app, client):
    registry = app.extensions["winnow"].metrics.registry

    def count() -> float:
        labels = {"route": "/health", "method": "GET", "status": "200"}
        return registry.get_sample_value("winnow_http_requests_total", labels) or 0

    before = count()
    client.get("/health").close()
    client.get("/health").close()
    assert count() - before == 2


# -- serving ------------------------------------------------------------------------------

@pytest.fixture
def gunicorn_options(monkeypatch, model_dir):
    """The options `serve.main.main` would give gunicorn, which is not started."""
    seen = {}
    monkeypatch.setattr(serve.main.Server, "run", lambda self: seen.update(self.options))
    monkeypatch.setenv("WINNOW_MODEL", str(model_dir))
    return seen


def test_serve_runs_gunicorn_preloaded_with_flags_over_environment(gunicorn_options, monkeypatch):
    monkeypatch.setenv("PORT", "8001")
    monkeypatch.setenv("WINNOW_WORKERS", "5")
    assert serve.main.main(["--port", "9001", "--threads", "2"]) == 0
    assert gunicorn_options["bind"] == "127.0.0.1:9001"
    assert (gunicorn_options["workers"], gunicorn_options["threads"]) == (5, 2)
    assert gunicorn_options["preload_app"] is True


@pytest.mark.parametrize("flag, value", [("--port", "70000"), ("--port", "0"), ("--workers", "two")])
def test_serve_refuses_a_flag_out_of_its_range_with_a_usage_error(gunicorn_options, capsys, flag, value):
    with pytest.raises(SystemExit) as refused:
        serve.main.main([flag, value])
    assert refused.value.code == 2 and not gunicorn_options
    assert f"argument {flag}: must be" in capsys.readouterr().err


def test_serve_reports_a_bad_setting_instead_of_starting(gunicorn_options, monkeypatch, capsys):
    monkeypatch.setenv("WINNOW_MAX_BODY_BYTES", "lots")
    assert serve.main.main([]) == 2
    assert "WINNOW_MAX_BODY_BYTES" in capsys.readouterr().err
    assert gunicorn_options == {}
