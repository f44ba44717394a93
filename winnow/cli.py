"""The one command line: ``python -m winnow <command>``.

`segment` lives here so that it starts fast; the other commands hand their
arguments to the module that owns them (`train`, `serve`), imported only when
asked for.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from typing import IO, TYPE_CHECKING, Sequence

import winnow
from winnow import config
from winnow.allocator import keep_freed_memory
from winnow.document import LINES, SPLITS

if TYPE_CHECKING:
    from winnow.jsonl import ChunkSegmenter

# command -> (module with a main(argv) function, one-line help)
DELEGATED = {
    "build-data": ("train.build_data", "build data/{train,dev,test}.jsonl.gz from the raw corpora"),
    "train": ("train.fit", "train a model on labelled JSONL"),
    "evaluate": ("train.evaluate", "evaluate a model and write a report"),
    "benchmark": ("train.benchmark", "measure throughput against other extractors"),
    "serve": ("serve.main", "serve the HTTP API with gunicorn"),
}
CANNOT_RUN = 2
"""Exit status of a command that could not do its work: a file, data or model it cannot read."""
MAX_JOBS = 256
"""Most worker processes of `segment --jsonl --jobs`: each holds three file descriptors of the parent,
and 256 stay well inside the common limit of 1,024."""


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m winnow", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"winnow {winnow.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    segment = commands.add_parser("segment", help="label the paragraphs of documents")
    segment.add_argument("path", nargs="?", default="-", help="a file, or - for standard input (default)")
    segment.add_argument("--jsonl", action="store_true",
                         help='one JSON document per line: {"id", "text" | "paragraphs"}')
    segment.add_argument("--model", default=str(config.DEFAULT_MODEL_DIR), help="model directory (default: %(default)s)")
    segment.add_argument("--flag-below", type=_threshold, metavar="P",
                         help='add "uncertain": true|false to every paragraph: whether its confidence is below P')
    segment.add_argument("--split", choices=SPLITS, default=LINES,
                         help="how plain text is parted into paragraphs: at every line break (default), or only "
                              "at blank lines, for text wrapped at a fixed width")
    segment.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                         help="with --jsonl, label in N processes (default 1; 0: one per CPU it may use); "
                              "the output keeps the order of the input")
    for name, (_, help_text) in DELEGATED.items():
        commands.add_parser(name, help=help_text, add_help=False)

    if not argv or argv[0] != "serve":  # the server's threads would each keep what they freed
        keep_freed_memory()
    if argv and argv[0] in DELEGATED:
        return importlib.import_module(DELEGATED[argv[0]][0]).main(argv[1:]) or 0
    args = parser.parse_args(argv)
    if args.jobs != 1 and not args.jsonl:
        parser.error("--jobs labels JSONL in several processes: it needs --jsonl")
    try:
        status = run_segment(args.path, args.jsonl, args.model, args.flag_below, args.split,
                             args.jobs or _usable_cpus())
        sys.stdout.flush()  # here, where a full disk can still be told apart from success
        return status
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly.
        _drop_standard_output()
        return 141  # as shells report a run ended by SIGPIPE
    except OSError as error:  # a full disk, a file that fails part way through
        _drop_standard_output()
        return refuse(f"could not read the input or write the output: {error.strerror or error}")
    except KeyboardInterrupt:
        return 130  # as shells report a run ended by Ctrl-C


def _drop_standard_output() -> None:
    """Keep Python from failing again when it flushes standard output on the way out."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def refuse(message: object) -> int:
    """Say `message` as the command's one error line, on standard error, and give `CANNOT_RUN`."""
    print(f"error: {message}", file=sys.stderr)
    return CANNOT_RUN


def _usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, where the system tells it), at least 1."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _jobs(raw: str) -> int:
    from winnow.inputs import whole_number

    try:
        return whole_number(raw, least=0, most=MAX_JOBS)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"the number of processes {error}") from None


def _threshold(raw: str) -> float:
    from winnow.inputs import InvalidInput, confidence_threshold

    try:
        return confidence_threshold(raw)
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(error.detail) from None


def run_segment(path: str, jsonl: bool, model_dir: str, flag_below: float | None = None,
                split: str = LINES, processes: int = 1) -> int:
    from winnow.inputs import InvalidInput, decode_text
    from winnow.jsonl import ChunkSegmenter
    from winnow.model import ModelLoadError, load_model

    try:
        model = load_model(model_dir)
    except ModelLoadError as error:
        return refuse(error)
    try:
        stream = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as error:
        return refuse(f"cannot read {path}: {error.strerror}")
    with stream:
        if jsonl:
            return _segment_jsonl(stream, ChunkSegmenter(model, flag_below, split), sys.stdout, processes)
        try:
            text = decode_text(stream.read())
        except InvalidInput as error:
            return refuse(error.detail)
    from winnow.document import Document
    from winnow.segment import segment_documents

    [result] = segment_documents(model, [Document.from_text(text, split=split)], flag_below)
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _segment_jsonl(stream: IO[bytes], segmenter: ChunkSegmenter, out: IO[str], processes: int) -> int:
    """Segment a JSONL stream chunk by chunk; a bad line gets an error line, the rest go on."""
    from winnow.jsonl import WorkerDied, segment_stream

    errors = done = blank = 0
    show_progress = sys.stderr.isatty()
    try:
        for segmented in segment_stream(stream, segmenter, processes):
            out.write(segmented.text)
            done += segmented.rows
            errors += segmented.errors
            blank += segmented.blank
            if show_progress:
                print(f"\r{done} documents", end="", file=sys.stderr, flush=True)
    except WorkerDied:
        if show_progress:
            print(file=sys.stderr)
        return refuse(f"a worker process died (killed, or out of memory?) after {done} documents were written; "
                      "the rest were not")
    if show_progress:
        print(file=sys.stderr)
    if blank:
        print(f"note: {blank} blank line{'s were' if blank > 1 else ' was'} skipped: a blank line holds no "
              f"document, so it has no result line", file=sys.stderr)
    if errors:
        print(f"error: {errors} of {done} lines could not be segmented (see their 'error')", file=sys.stderr)
    return 1 if errors else 0
