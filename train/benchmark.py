"""``python -m winnow benchmark``: how fast winnow labels documents, beside trafilatura and jusText.

Every system reads the same documents in one process, with numpy and
scikit-learn held to one thread (``--threads``), since trafilatura and jusText
use one, and with the allocator setting the command line makes (`winnow.allocator`).
winnow is timed as the CLI runs it in one process, `segment_documents`
on batches of `CHUNK_LINES` documents, and also one document per call; trafilatura and
jusText get each document as the page of ``<p>`` elements the baselines use
(`train.baselines.to_html`), built before the clock starts, one page per call.

Throughput is the median of ``--repeats`` passes over all documents, after a
warm-up pass over a few; a system that goes over them in less than
`PASS_SECONDS` does so several times in each pass (as many as one untimed
run says it needs). The passes take turns between the systems (pass 1
of each, then pass 2 of each, ...), so that a slow spell of this shared
machine falls on all of them rather than on whichever ran then. Each
ratio of speeds is given with the lowest and highest of the same ratio
taken pass by pass, which shows how far the machine's drift moves it. Text
volume is the UTF-8 size of the paragraphs, the same for every system.
Latency, for the systems called one document at a time, is that of the
document of median length in characters, the median of `LATENCY_RUNS`
calls. Nothing here asserts a speed: it measures and reports.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import os
import platform
import pstats
import random
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from train import dataset
from train.baselines import EXTRACTORS, to_html
from train.provenance import command_line, log, relative_path
from train.report import Report, Table, Text
from winnow import config
from winnow.allocator import keep_freed_memory
from winnow.cli import refuse
from winnow.jsonl import CHUNK_LINES
from winnow.document import Document
from winnow.model import LoadedModel, ModelLoadError, library_versions, load_model
from winnow.segment import segment_documents

DEFAULT_DATA = config.DATA_DIR / "test.jsonl.gz"
DEFAULT_OUT = config.REPORTS_DIR / "benchmark.md"
WARMUP_DOCUMENTS = 10
LATENCY_RUNS = 21
PASS_SECONDS = 1.0
"""A system that goes over all documents faster than this does so several times in one pass, so
that a pass is not a blip that one slow moment of the machine can double."""
PROFILE_LINES = 25
TARGET_RATIO = 10  # the project's target: winnow >= 10x trafilatura's documents per second
BATCHED = f"winnow (batches of {CHUNK_LINES})"
HEADER = ["system", "documents/s", "paragraphs/s", "MB/s", "typical document (ms)"]


@dataclass(frozen=True)
class System:
    """A system under test: `prepare` builds its input untimed, `run` is what the clock measures."""

    name: str
    prepare: Callable[[Sequence[Document]], list]
    run: Callable[[list], object]
    one_document: bool = True  # whether a call on one document is this system's way of working


@dataclass(frozen=True)
class Measurement:
    system: str
    seconds: float  # median pass over all documents
    documents_per_s: float
    paragraphs_per_s: float
    megabytes_per_s: float
    latency_ms: float | None  # None for a system that does not work one document at a time
    passes: tuple[float, ...] = ()  # seconds of each timed pass over all documents, in order
    rounds: int = 1  # times over all documents in each pass (the seconds are per time)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winnow benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(config.DEFAULT_MODEL_DIR), help="model directory (default: %(default)s)")
    parser.add_argument("--data", help=f"labelled JSONL to read documents from (default: {DEFAULT_DATA}, "
                                       f"or the test fixtures when it is missing)")
    parser.add_argument("--documents", type=int, default=300, help="documents to time (default: 300)")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per system (default: 3)")
    parser.add_argument("--threads", type=int, default=1, help="numpy/scikit-learn threads (default: 1)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of winnow's batches")
    parser.add_argument("--out", default=str(DEFAULT_OUT),
                        help=f"Markdown report to write, with a .json beside it (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    command = command_line("python -m winnow benchmark", argv)

    try:
        data = [Path(args.data)] if args.data else default_data()
        documents = sample_documents(data, args.documents)
        model = load_model(args.model)
    except (dataset.DataError, ModelLoadError) as error:
        return refuse(error)
    if len(documents) < args.documents:
        log(f"the data has only {len(documents)} documents")
    freed_memory_kept = keep_freed_memory()  # as the command line has it, also when called from Python
    log(f"timing {len(documents)} documents from {', '.join(map(str, data))} with model {model.info['name']}")
    with threadpool_limits(limits=args.threads):
        results = measure(systems(model), documents, args.repeats)
        if args.profile:
            log(profile(model, documents))

    ratios, spreads = speed_ratios(results), pass_ratio_spreads(results)
    print(format_table(results))
    for name, ratio in ratios.items():
        print(f"{name}: {ratio:.2f}× (pass by pass {spreads[name][0]:.2f}–{spreads[name][1]:.2f}×)")
    record = {"command": command, "date": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
              "data": [relative_path(str(path)) for path in data], "model": model.info, "threads": args.threads,
              "documents": len(documents), "paragraphs": sum(map(len, documents)),
              "megabytes": round(megabytes(documents), 3),
              "machine": {**machine(), "freed memory kept (winnow.allocator)": freed_memory_kept},
              "results": [asdict(r) for r in results], "ratios": ratios,
              "pass_ratio_spreads": spreads}
    write(record, Path(args.out))
    return 0


def default_data() -> list[Path]:
    """The test split, or else every labelled JSONL file of the test fixtures."""
    if DEFAULT_DATA.exists():
        return [DEFAULT_DATA]
    fixtures = sorted(config.FIXTURES_DIR.glob("*.jsonl*"))
    if not fixtures:
        raise dataset.DataError(f"neither {DEFAULT_DATA} nor labelled JSONL in {config.FIXTURES_DIR}: give --data")
    return fixtures


def sample_documents(paths: Sequence[Path], count: int) -> list[Document]:
    """`count` documents drawn at random (seeded) from `paths`, or all of them if they have fewer."""
    documents = [d.document for d in dataset.load(paths)]
    if len(documents) <= count:
        return documents
    return random.Random(config.SEED).sample(documents, count)


def systems(model: LoadedModel) -> list[System]:
    def pages(documents: Sequence[Document]) -> list[str]:
        return [to_html(d.paragraphs) for d in documents]

    def extracting(extract: Callable[[str], str]) -> Callable[[list], object]:
        return lambda inputs: [extract(page) for page in inputs]

    return [
        System(BATCHED, batches, lambda groups: [segment_documents(model, batch) for batch in groups],
               one_document=False),
        System("winnow (one document per call)", list,
               lambda documents: [segment_documents(model, [d]) for d in documents]),
        *(System(name, pages, extracting(extract)) for name, extract in EXTRACTORS.items()),
    ]


def batches(documents: Sequence[Document]) -> list[Sequence[Document]]:
    return [documents[i:i + CHUNK_LINES] for i in range(0, len(documents), CHUNK_LINES)]


def measure(systems: Sequence[System], documents: Sequence[Document], repeats: int) -> list[Measurement]:
    """Each system's throughput over all documents (median of `repeats` passes, taking turns)
    and latency of the typical document."""
    inputs, rounds = [], []
    for system in systems:
        log(f"{system.name}: warming up")
        system.run(system.prepare(documents[:WARMUP_DOCUMENTS]))
        inputs.append(system.prepare(documents))
        rounds.append(max(1, math.ceil(PASS_SECONDS / timed(system.run, inputs[-1]))))
    passes: list[list[float]] = [[] for _ in systems]
    for number in range(1, repeats + 1):
        log(f"pass {number}/{repeats}")
        for system, system_inputs, system_rounds, times in zip(systems, inputs, rounds, passes):
            times.append(timed(system.run, system_inputs, system_rounds))
    typical = typical_document(documents)
    measurements = []
    for system, system_rounds, times in zip(systems, rounds, passes):
        seconds = statistics.median(times)
        measurements.append(Measurement(
            system.name, round(seconds, 4), len(documents) / seconds, sum(map(len, documents)) / seconds,
            megabytes(documents) / seconds, latency_ms(system, typical) if system.one_document else None,
            tuple(round(t, 4) for t in times), system_rounds))
    return measurements


def latency_ms(system: System, document: Document) -> float:
    """Median milliseconds of `LATENCY_RUNS` calls on one document."""
    inputs = system.prepare([document])
    return 1000 * statistics.median(timed(system.run, inputs) for _ in range(LATENCY_RUNS))


def timed(function: Callable[[list], object], inputs: list, rounds: int = 1) -> float:
    """Seconds of one call, the mean of `rounds` calls in a row; garbage left by earlier calls (of any
    system) is collected before the clock starts."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(rounds):
        function(inputs)
    return (time.perf_counter() - start) / rounds


def typical_document(documents: Sequence[Document]) -> Document:
    """The document of median length in characters."""
    return sorted(documents, key=lambda d: len(d.text))[len(documents) // 2]


def megabytes(documents: Sequence[Document]) -> float:
    return sum(len(d.text.encode("utf-8")) for d in documents) / 1e6


def ratio_pairs(results: Sequence[Measurement]) -> list[tuple[str, Measurement, Measurement]]:
    """(name of the ratio, winnow's measurement, an extractor's) for each way winnow ran and each extractor."""
    by_system = {r.system: r for r in results}
    return [(f"{winnow} ÷ {extractor}", by_system[winnow], by_system[extractor])
            for winnow in by_system if winnow.startswith("winnow") for extractor in EXTRACTORS]


def speed_ratios(results: Sequence[Measurement]) -> dict[str, float]:
    """winnow's documents per second over each extractor's, batched and one per call."""
    return {name: round(winnow.documents_per_s / extractor.documents_per_s, 2)
            for name, winnow, extractor in ratio_pairs(results)}


def pass_ratio_spreads(results: Sequence[Measurement]) -> dict[str, tuple[float, float]]:
    """The lowest and highest of the same ratios taken pass by pass: each pass of a system ran right
    after the same pass of the others, so this shows how far the machine's drift moves a ratio."""
    spreads = {}
    for name, winnow, extractor in ratio_pairs(results):
        per_pass = np.asarray(extractor.passes) / np.asarray(winnow.passes)
        spreads[name] = (round(float(per_pass.min()), 2), round(float(per_pass.max()), 2))
    return spreads


def profile(model: LoadedModel, documents: Sequence[Document]) -> str:
    """The top of a cProfile of winnow over all documents in batches, by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for batch in batches(documents):
        segment_documents(model, batch)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(PROFILE_LINES)
    return text.getvalue()


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "cpu": cpu_model(), "platform": platform.platform(),
            **library_versions(), **{name: version(name) for name in ("trafilatura", "jusText", "lxml")}}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def rows(results: Sequence[Measurement]) -> list[list]:
    return [[r.system, f"{r.documents_per_s:.1f}", f"{r.paragraphs_per_s:.0f}", f"{r.megabytes_per_s:.3f}",
             "—" if r.latency_ms is None else f"{r.latency_ms:.2f}"] for r in results]


def format_table(results: Sequence[Measurement]) -> str:
    table = [HEADER, *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))) for row in table)


def write(record: dict, out: Path) -> None:
    """The results as Markdown to `out` and as JSON beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_markdown(record), encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    log(f"wrote {out} and {out.with_suffix('.json')}")


def to_markdown(record: dict) -> str:
    ratios, spreads = record["ratios"], record["pass_ratio_spreads"]
    against_trafilatura = ratios[f"{BATCHED} ÷ trafilatura"]
    lowest, highest = spreads[f"{BATCHED} ÷ trafilatura"]
    report = Report("winnow benchmark")
    report.add(
        Text(f"{record['documents']} documents ({record['paragraphs']} paragraphs, "
             f"{record['megabytes']:.2f} MB of text) from `{', '.join(record['data'])}`, model "
             f"{record['model']['name']} {record['model']['version']}, one process, {record['threads']} "
             f"thread(s), {record['date']}, with `{record['command']}`."),
        Table(HEADER, rows([Measurement(**r) for r in record["results"]]),
              caption=f"throughput: median of the timed passes, taken in turns by the systems, each pass "
                      f"over all documents as many times as fill {PASS_SECONDS:g} s; typical "
                      f"document: one call on the median-length document, median of {LATENCY_RUNS} calls"),
        Text(f"Target: winnow at least {TARGET_RATIO}× trafilatura's documents per second; measured "
             f"{against_trafilatura:.2f}× ({'met' if against_trafilatura >= TARGET_RATIO else 'not met'} in "
             f"this run; pass by pass {lowest:.2f}–{highest:.2f}×)."),
        Table(["ratio of documents per second", "value", "pass by pass, lowest–highest"],
              [[name, f"{r:.2f}×", "{:.2f}–{:.2f}×".format(*spreads[name])] for name, r in ratios.items()]),
        Table(["machine", ""], [[key, value] for key, value in record["machine"].items()]),
    )
    return report.to_markdown()
