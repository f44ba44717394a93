"""``python -m serve.loadtest``: many clients, real documents and bad requests, against a live server.

Loopback only, bounded in time and in requests. Without ``--url`` it starts
``python -m winnow serve`` on a free port of 127.0.0.1 and stops it at the
end. It checks that no response is a 5xx, that every paragraph of every valid
document comes back, and that every bad request gets its documented status;
it reports requests per second, latency percentiles, statuses and the peak
memory of each gunicorn worker, and exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlsplit

import numpy as np
import requests

from winnow import config

MAX_REQUESTS = 200_000
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Probe:
    """One kind of request: how to send it and what a correct answer is."""

    name: str
    expected_status: int
    send: Callable[[requests.Session, str], requests.Response]
    documents: tuple[tuple[str, ...], ...] | None = None  # each document's paragraphs: all must come back, in order


def probes() -> list[Probe]:
    example = (config.FIXTURES_DIR / "moscow-times.txt").read_text(encoding="utf-8")
    sample = config.FIXTURES_DIR / "sample.jsonl"
    documents = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    paragraph_lists = [tuple(p["text"] for p in doc["paragraphs"]) for doc in documents]
    example_lines = tuple(line.strip() for line in example.splitlines() if line.strip())
    json_headers = {"Content-Type": "application/json"}
    kinds = [
        Probe("text as JSON", 200, lambda s, url: s.post(f"{url}/segment", json={"id": "x", "text": example}),
              (example_lines,)),
        Probe("text/plain", 200, lambda s, url: s.post(f"{url}/segment", data=example.encode(),
                                                       headers={"Content-Type": "text/plain; charset=utf-8"}),
              (example_lines,)),
        Probe("batch of three", 200, lambda s, url: s.post(f"{url}/segment/batch", json={
            "documents": [{"id": i, "paragraphs": list(p)} for i, p in enumerate(paragraph_lists[:3])]}),
              tuple(paragraph_lists[:3])),
        Probe("batch of text and paragraphs", 200, lambda s, url: s.post(f"{url}/segment/batch", json={
            "documents": [{"id": "t", "text": example}, {"id": "p", "paragraphs": list(paragraph_lists[-1])}]}),
              (example_lines, paragraph_lists[-1])),
        Probe("wrong type in paragraphs", 422, lambda s, url: s.post(f"{url}/segment", json={"paragraphs": [1, None]})),
        Probe("invalid JSON", 400, lambda s, url: s.post(f"{url}/segment", data=b"{not json", headers=json_headers)),
        Probe("wrong type", 422, lambda s, url: s.post(f"{url}/segment", json={"text": 5})),
        Probe("HTML", 415, lambda s, url: s.post(f"{url}/segment", data=b"<p>x</p>",
                                                 headers={"Content-Type": "text/html"})),
        Probe("unknown route", 404, lambda s, url: s.get(f"{url}/nowhere")),
        Probe("wrong method", 405, lambda s, url: s.get(f"{url}/segment")),
        Probe("body over the limit", 413, lambda s, url: s.post(f"{url}/segment", data=b"x\n" * 3_000_000,
                                                                headers={"Content-Type": "text/plain"})),
    ]
    for paragraphs in paragraph_lists:
        kinds.append(Probe("paragraphs as JSON", 200, lambda s, url, p=paragraphs: s.post(
            f"{url}/segment", json={"paragraphs": list(p)}), (paragraphs,)))
    return kinds


def problems_with(probe: Probe, response: requests.Response) -> str:
    """What is wrong with the answer to `probe`, or ''."""
    if response.status_code >= 500:
        return f"{probe.name}: server error {response.status_code}"
    if response.status_code != probe.expected_status:
        return f"{probe.name}: status {response.status_code}, expected {probe.expected_status}"
    if probe.expected_status >= 400 and response.headers.get("Content-Type") != "application/problem+json":
        return f"{probe.name}: error without problem+json"
    if probe.documents is not None:
        body = response.json()
        results = body["results"] if "results" in body else [body]
        if len(results) != len(probe.documents):
            return f"{probe.name}: {len(results)} results back, {len(probe.documents)} documents sent"
        for result, sent in zip(results, probe.documents):
            returned = tuple(p["text"] for p in result.get("paragraphs", ()))
            if returned != sent:
                return (f"{probe.name}: {len(returned)} paragraphs back, {len(sent)} sent"
                        + ("" if len(returned) != len(sent) else ", texts differ"))
    return ""


def client(url: str, kinds: Sequence[Probe], deadline: float, seed: int) -> list[tuple[str, int, float, str]]:
    """One client's loop until the deadline: (probe, status, seconds, problem) per request."""
    rng = random.Random(seed)
    weights = [0.2 if probe.expected_status == 413 else 1.0 for probe in kinds]  # big bodies now and then
    results = []
    with requests.Session() as session:
        while time.monotonic() < deadline and len(results) < MAX_REQUESTS:
            probe = rng.choices(kinds, weights)[0]
            started = time.perf_counter()
            try:
                response = probe.send(session, url)
                results.append((probe.name, response.status_code, time.perf_counter() - started,
                                problems_with(probe, response)))
            except requests.RequestException as error:
                results.append((probe.name, 0, time.perf_counter() - started, f"{probe.name}: {error}"))
    return results


def worker_peak_rss_mb(server_pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of each gunicorn worker of the server."""
    children = subprocess.run(["ps", "--ppid", str(server_pid), "-o", "pid="], capture_output=True, text=True)
    peaks = []
    for pid in children.stdout.split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")]
    return peaks


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "winnow", "serve", "--port", str(port),
                               "--workers", str(workers)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(f"{url}/ready", timeout=1).ok:
                return server, url
        except requests.RequestException:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not become ready in 60 s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serve.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server on this machine (default: start one)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2, help="workers of the server it starts")
    args = parser.parse_args(argv)
    if args.url and urlsplit(args.url).hostname not in LOOPBACK:
        parser.error("load tests go to this machine only (127.0.0.1, localhost or ::1)")

    server, url = (None, args.url.rstrip("/")) if args.url else start_server(args.workers)
    try:
        kinds = probes()
        deadline = time.monotonic() + args.seconds
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            runs = list(pool.map(lambda seed: client(url, kinds, deadline, seed), range(args.clients)))
        elapsed = time.perf_counter() - started
        alive = requests.get(f"{url}/health", timeout=5).ok
        peaks = worker_peak_rss_mb(server.pid) if server else []
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)

    results = [row for run in runs for row in run]
    latency_ms = np.array([seconds for _, _, seconds, _ in results]) * 1000
    problems = Counter(problem for *_, problem in results if problem)
    statuses = Counter(status for _, status, _, _ in results)
    print(f"{len(results)} requests from {args.clients} clients in {elapsed:.1f} s: "
          f"{len(results) / elapsed:.1f} requests/s")
    print("latency ms: p50 {:.1f}, p95 {:.1f}, p99 {:.1f}, max {:.1f}".format(
        *np.percentile(latency_ms, [50, 95, 99]), latency_ms.max()))
    print("statuses: " + ", ".join(f"{status} × {n}" for status, n in sorted(statuses.items())))
    print(f"5xx: {sum(n for status, n in statuses.items() if status >= 500)}; server alive after: {alive}")
    if peaks:
        print("peak RSS per worker (MB): " + ", ".join(f"{peak:.0f}" for peak in peaks))
    for problem, n in problems.most_common(10):
        print(f"PROBLEM × {n}: {problem}")
    return 0 if alive and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
