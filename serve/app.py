"""The Flask app factory and its routes.

The model is loaded once, when the app is made; under gunicorn that happens
in the master before the workers fork, so they share its memory and the port
opens only once the model is there.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from flask import Blueprint, Flask, Response, current_app, g, request, send_file, stream_with_context

from serve import access, auth, errors, parse
from serve.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE, Metrics
from serve.openapi import SPEC
from serve.settings import Settings
from winnow.allocator import release_freed_memory
from winnow.model import LoadedModel, load_model
from winnow.segment import segment_items

PAGE = Path(__file__).parent / "static" / "index.html"
OPEN_ENDPOINTS = {"api.page", "api.health", "api.ready"}  # answered without an API key
RELEASE_AFTER_PARAGRAPHS = 20_000
"""A request that labelled at least this many paragraphs hands the memory it freed back once its
response is sent: a batch of 600,000 short paragraphs had left a worker about 600 MB larger for good."""

api = Blueprint("api", __name__)


@dataclass(frozen=True)
class Service:
    """What the routes share: the model, the settings and the metrics."""

    model: LoadedModel
    settings: Settings
    metrics: Metrics


def create_app(model_dir: str | Path | None = None, settings: Settings | None = None) -> Flask:
    """The app, with the model of `model_dir` (default: the settings') loaded.

    Raises `winnow.model.ModelLoadError` when the model cannot be loaded.
    """
    settings = settings or Settings.from_env()
    model = load_model(model_dir or settings.model_dir)
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False
    app.json.ensure_ascii = False  # as the command line writes it: "é" is 2 bytes, "\u00e9" 6
    service = Service(model, settings, Metrics())
    app.extensions["winnow"] = service
    access.register(app, service.metrics)  # first, so that every request is timed and logged
    auth.register(app, settings.api_keys, OPEN_ENDPOINTS)
    errors.register(app)
    app.register_blueprint(api)

    @app.after_request
    def release_memory_after_a_large_request(response: Response) -> Response:
        counted = g.access  # filled in as a streamed response is labelled
        response.call_on_close(
            lambda: counted["paragraphs"] >= RELEASE_AFTER_PARAGRAPHS and release_freed_memory())
        return response

    return app


def _service() -> Service:
    return current_app.extensions["winnow"]


@api.get("/")
def page() -> Response:
    return send_file(PAGE, mimetype="text/html")


@api.get("/health")
def health() -> dict:
    return {"status": "ok"}


@api.get("/ready")
def ready() -> dict:
    return {"status": "ready", "model": _service().model.info}


@api.get("/model")
def model_card() -> dict:
    return _service().model.card


@api.get("/metrics")
def metrics() -> Response:
    return Response(_service().metrics.render(), content_type=METRICS_CONTENT_TYPE)


@api.get("/openapi.json")
def openapi() -> dict:
    return SPEC


@api.post("/segment")
def segment() -> dict:
    data = parse.body(request, (parse.JSON, parse.TEXT))
    parse.check_query(request)
    document = parse.document(data, request.mimetype, _service().settings, parse.split(request))
    [result] = _label([document], parse.flag_below(request))
    return result


@api.post("/segment/batch")
def segment_batch() -> dict | Response:
    settings = _service().settings
    data = parse.body(request, (parse.JSON, parse.NDJSON))
    parse.check_query(request)
    flag_below, split = parse.flag_below(request), parse.split(request)
    if request.mimetype == parse.NDJSON:
        items = parse.ndjson_batch(data, settings, split)
        return Response(stream_with_context(_ndjson_lines(items, settings.ndjson_chunk, flag_below)),
                        mimetype=parse.NDJSON)
    return {"results": _label(parse.json_batch(data, settings, split), flag_below)}


def _label(items: Sequence[parse.Item], flag_below: float | None) -> list[dict]:
    """Results in the order of `items`, counted in the metrics and the access log."""
    service = _service()
    rows = segment_items(service.model, items, flag_below)
    service.metrics.observe_results(rows)
    access.add_paragraphs(sum(len(row.get("paragraphs", ())) for row in rows))
    return rows


def _ndjson_lines(items: Iterable[parse.Item], chunk: int, flag_below: float | None) -> Iterator[str]:
    """One JSON line per item, sent as each chunk of `chunk` items is labelled."""
    items = iter(items)
    while batch := list(islice(items, chunk)):
        yield "".join(json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n"
                      for row in _label(batch, flag_below))
