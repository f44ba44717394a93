"""Prometheus metrics of one app: requests, latency, paragraphs by label, errors by code.

Each app has its own registry, so apps made in tests do not share counts.
Under gunicorn every worker process counts only the requests it served:
`/metrics` shows the numbers of whichever worker answers the scrape. Run one
worker, or sum over scrapes, when exact totals matter.
"""
from __future__ import annotations

from collections import Counter as Tally
from typing import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from winnow.labels import LABELS

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

disable_created_metrics()  # the *_created series say nothing a scraper needs


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("winnow_http_requests", "HTTP requests by route, method and status.",
                                ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram("winnow_http_request_duration_seconds",
                                 "Time from the request to the last byte of its response.",
                                 ["route"], registry=self.registry)
        self.paragraphs = Counter("winnow_paragraphs", "Paragraphs labelled, by label.",
                                  ["label"], registry=self.registry)
        self.errors = Counter("winnow_errors", "Error responses and batch error entries, by code.",
                              ["code"], registry=self.registry)
        for label in LABELS:
            self.paragraphs.labels(label)

    def observe_request(self, route: str, method: str, status: int, seconds: float,
                        error_code: str | None = None) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        if error_code:
            self.errors.labels(error_code).inc()

    def observe_results(self, rows: Iterable[dict]) -> None:
        """Count the labels of results and the codes of error entries."""
        labels, codes = Tally(), Tally()
        for row in rows:
            if "error" in row:
                codes[row["error"]["code"]] += 1
            labels.update(paragraph["label"] for paragraph in row.get("paragraphs", ()))
        for label, count in labels.items():
            self.paragraphs.labels(label).inc(count)
        for code, count in codes.items():
            self.errors.labels(code).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
