"""The command line, run the way users run it: `python -m winnow ...` in a subprocess (and the
evaluation report's parts, in process)."""
import dataclasses
import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import winnow as winnow_package
from winnow import config
from train import dataset
from train.evaluate import common_mistakes, held_out_statement, predicted_in_pieces
from train.split import fold_of
from winnow.labels import LABELS
from winnow.model import load_model

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "moscow-times.txt"


def winnow(*args: str, stdin: bytes = b"", model_dir=None) -> subprocess.CompletedProcess:
    extra = ["--model", str(model_dir)] if model_dir else []
    return subprocess.run([sys.executable, "-m", "winnow", *args, *extra], input=stdin,
                          capture_output=True, timeout=300)


def test_segment_a_text_file_prints_one_result_whose_offsets_point_into_the_file(model_dir):
    text = EXAMPLE.read_text(encoding="utf-8")
    run = winnow("segment", str(EXAMPLE), model_dir=model_dir)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert len(result["paragraphs"]) == 30
    assert all(text[p["start"]:p["end"]] == p["text"] for p in result["paragraphs"])
    assert [i for s in result["segments"] for i in range(s["first"], s["last"] + 1)] == list(range(30))
    assert result["article"] == "\n\n".join(p["text"] for p in result["paragraphs"] if p["label"] == "article")


def test_version_says_which_winnow_this_is():
    run = winnow("--version")
    assert run.returncode == 0 and run.stdout.decode().strip() == f"winnow {winnow_package.__version__}"


def test_segment_reads_standard_input_by_default(model_dir):
    run = winnow("segment", stdin="Headline\n\nBody text.\n".encode(), model_dir=model_dir)
    assert run.returncode == 0
    assert [p["text"] for p in json.loads(run.stdout)["paragraphs"]] == ["Headline", "Body text."]


def test_jsonl_gives_one_result_per_line_in_order_keeping_every_given_paragraph(model_dir):
    docs = [{"id": "a", "paragraphs": ["", "  ", "×", "x" * 5000]}, {"id": 7, "text": "One.\r\nTwo."}]
    stdin = "".join(json.dumps(d) + "\n" for d in docs).encode()
    run = winnow("segment", "--jsonl", "-", stdin=stdin, model_dir=model_dir)
    assert run.returncode == 0, run.stderr
    first, second = [json.loads(line) for line in run.stdout.splitlines()]
    assert first["id"] == "a" and [p["text"] for p in first["paragraphs"]] == docs[0]["paragraphs"]
    assert second["id"] == 7 and [p["text"] for p in second["paragraphs"]] == ["One.", "Two."]


def test_blank_jsonl_lines_have_no_result_line_and_the_run_says_how_many_it_skipped(model_dir):
    run = winnow("segment", "--jsonl", stdin=b'{"id": 1, "text": "a"}\n\n  \r\n{"id": 2, "text": "b"}\n',
                 model_dir=model_dir)
    assert run.returncode == 0
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [1, 2]
    assert run.stderr.decode().splitlines() == [
        "note: 2 blank lines were skipped: a blank line holds no document, so it has no result line"]


def test_a_bad_jsonl_line_gets_an_error_line_and_the_others_are_still_segmented(model_dir):
    bad = [b"not json", b'{"id": 3, "paragraphs": [1]}', b"[" * 100_000, b'{"id": "\\ud800", "text": "a"}',
           b'{"id": NaN, "text": "a"}', b'{"id": 1e999, "text": "a"}']
    stdin = b"\n".join([b'{"id": 1, "text": "Fine."}', *bad, b'{"id": 4, "text": "Also fine."}']) + b"\n"
    run = winnow("segment", "--jsonl", stdin=stdin, model_dir=model_dir)
    assert run.returncode == 1 and b"6 of 8 lines" in run.stderr and b"Traceback" not in run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]  # all of it valid JSON
    assert [r["id"] for r in rows] == [1, None, 3, None, None, None, None, 4]
    assert [r["error"]["code"] for r in rows[1:-1]] == \
        ["invalid_json", "invalid_paragraphs", "invalid_json", "invalid_id", "invalid_json", "invalid_json"]
    assert [r["line"] for r in rows[1:-1]] == [2, 3, 4, 5, 6, 7]
    assert "paragraphs" in rows[0] and "paragraphs" in rows[-1]


def test_jsonl_labelled_in_several_processes_comes_out_as_from_one_in_the_order_of_the_input(model_dir, tmp_path):
    pages = [json.loads(line) for line in (FIXTURES / "sample.jsonl").read_text(encoding="utf-8").splitlines()]
    documents = [{"id": f"{n}-{page['id']}", "paragraphs": [p["text"] for p in page["paragraphs"]]}
                 for n in range(25) for page in pages]  # 600 lines: chunks of 256 lines go to both processes
    lines = [json.dumps(document) for document in documents]
    lines[300] = "not json"
    source = tmp_path / "docs.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one, two = (winnow("segment", "--jsonl", "--jobs", jobs, str(source), model_dir=model_dir) for jobs in ("1", "2"))
    assert one.returncode == two.returncode == 1 and one.stderr == two.stderr
    assert b"1 of 600 lines" in two.stderr
    assert one.stdout == two.stdout
    rows = [json.loads(line) for line in two.stdout.splitlines()]
    assert [row["id"] for row in rows] == [d["id"] if n != 300 else None for n, d in enumerate(documents)]
    assert rows[300]["line"] == 301 and rows[300]["error"]["code"] == "invalid_json"
    refused = winnow("segment", "--jsonl", "--jobs", "-1", str(source), model_dir=model_dir)
    assert refused.returncode == 2 and b"number of processes" in refused.stderr
    without_jsonl = winnow("segment", "--jobs", "2", str(EXAMPLE), model_dir=model_dir)
    assert without_jsonl.returncode == 2 and b"needs --jsonl" in without_jsonl.stderr


def segmenting_the_example_many_times(model_dir, tmp_path, jobs: str) -> subprocess.Popen:
    """`segment --jsonl --jobs` started on the example page 20,000 times over: far more output than a pipe
    holds, and long enough to be stopped half-way."""
    source = tmp_path / "docs.jsonl"
    source.write_text((json.dumps({"text": EXAMPLE.read_text(encoding="utf-8")}) + "\n") * 20000, encoding="utf-8")
    command = [sys.executable, "-m", "winnow", "segment", "--jsonl", "--jobs", jobs, "--model", str(model_dir),
               str(source)]
    # Ctrl-C as a terminal sends it, also when the suite itself runs where SIGINT is ignored (a shell's
    # background job), which the run would inherit.
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_goes_away_early_ends_the_run_quietly_with_status_141(model_dir, tmp_path, jobs):
    with segmenting_the_example_many_times(model_dir, tmp_path, jobs) as run:
        assert run.stdout.read(100)
        run.stdout.close()  # as `| head -c 100` does
        assert run.wait(timeout=120) == 141
        assert run.stderr.read() == b""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, a device that is always full")
@pytest.mark.parametrize("form", [["segment"], ["segment", "--jsonl"], ["segment", "--jsonl", "--jobs", "2"]],
                         ids=["text", "jsonl", "jsonl in two processes"])
def test_a_full_disk_is_one_error_line_and_status_2_not_a_traceback(model_dir, form):
    source = FIXTURES / ("sample.jsonl" if "--jsonl" in form else "moscow-times.txt")
    with open("/dev/full", "wb") as full:
        run = subprocess.run([sys.executable, "-m", "winnow", *form, str(source), "--model", str(model_dir)],
                             stdout=full, stderr=subprocess.PIPE, timeout=300)
    assert run.returncode == 2
    assert run.stderr.decode().splitlines() == [
        "error: could not read the input or write the output: No space left on device"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_ends_the_run_quietly_with_status_130(model_dir, tmp_path, jobs):
    with segmenting_the_example_many_times(model_dir, tmp_path, jobs) as run:
        assert run.stdout.read(100)  # it is labelling
        run.send_signal(signal.SIGINT)
        run.stdout.read()
        assert run.wait(timeout=60) == 130
        assert b"Traceback" not in run.stderr.read()


def test_a_worker_process_that_dies_ends_the_run_with_an_error_not_a_hang(model_dir, tmp_path):
    with segmenting_the_example_many_times(model_dir, tmp_path, "2") as run:
        assert run.stdout.read(100)  # the workers are labelling
        children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)
        run.stdout.read()
        assert run.wait(timeout=60) == 2
        assert b"a worker process died" in run.stderr.read()


def test_the_workers_end_when_the_run_is_killed(model_dir, tmp_path):
    with segmenting_the_example_many_times(model_dir, tmp_path, "2") as run:
        assert run.stdout.read(100)
        children = Path(f"/proc/{run.pid}/task/{run.pid}/children").read_text().split()
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
        for _ in range(100):
            if not any(map(running, children)):
                break
            time.sleep(0.1)
        assert not any(map(running, children))


def running(pid: str) -> bool:
    """Whether the process runs (a zombie, ended and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_flag_below_marks_the_paragraphs_whose_confidence_is_under_the_threshold(model_dir):
    run = winnow("segment", str(EXAMPLE), "--flag-below", "0.97", model_dir=model_dir)
    assert run.returncode == 0, run.stderr
    paragraphs = json.loads(run.stdout)["paragraphs"]
    assert [p["uncertain"] for p in paragraphs] == [p["confidence"] < 0.97 for p in paragraphs]
    assert any(p["uncertain"] for p in paragraphs) and not all(p["uncertain"] for p in paragraphs)
    refused = winnow("segment", str(EXAMPLE), "--flag-below", "1.5", model_dir=model_dir)
    assert refused.returncode == 2 and b"at most 1" in refused.stderr


def test_text_wrapped_at_a_fixed_width_split_at_blank_lines_gets_the_labels_of_one_line_per_paragraph(model_dir):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    wrapped = "\n\n".join(textwrap.fill(line, 60) for line in lines if line.strip())
    run = winnow("segment", "--split", "blank-lines", stdin=wrapped.encode(), model_dir=model_dir)
    assert run.returncode == 0, run.stderr
    paragraphs = json.loads(run.stdout)["paragraphs"]
    assert all(wrapped[p["start"]:p["end"]] == p["text"] for p in paragraphs)
    assert sum("\n" in p["text"] for p in paragraphs) >= 10
    one_per_line = json.loads(winnow("segment", str(EXAMPLE), model_dir=model_dir).stdout)["paragraphs"]
    assert [(p["label"], p["confidence"]) for p in paragraphs] == \
        [(p["label"], p["confidence"]) for p in one_per_line]
    refused = winnow("segment", "--split", "sentences", stdin=wrapped.encode(), model_dir=model_dir)
    assert refused.returncode == 2 and b"invalid choice" in refused.stderr


def test_invalid_utf8_is_a_clear_error_not_a_traceback(model_dir):
    run = winnow("segment", stdin=b"caf\xe9\n", model_dir=model_dir)
    assert run.returncode == 2
    assert b"not valid UTF-8" in run.stderr and b"Traceback" not in run.stderr


def test_a_missing_model_or_file_is_a_clear_error(tmp_path, model_dir):
    run = winnow("segment", str(EXAMPLE), model_dir=tmp_path)
    assert run.returncode == 2 and b"is not a winnow model" in run.stderr
    run = winnow("segment", str(tmp_path / "missing.txt"), model_dir=model_dir)
    assert run.returncode == 2 and b"cannot read" in run.stderr


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained and evaluated by the CLI on a small real sample of the data."""
    out = tmp_path_factory.mktemp("model")
    sample = str(FIXTURES / "sample.jsonl")
    train = winnow("train", "--data", sample, "--dev", sample, "--out", str(out / "small"))
    assert train.returncode == 0, train.stderr[-2000:]
    (out / "train.log").write_bytes(train.stderr)
    evaluate = winnow("evaluate", "--model", str(out / "small"), "--data", sample, "--out", str(out / "report"))
    assert evaluate.returncode == 0, evaluate.stderr[-2000:]
    return out


def test_train_writes_a_model_with_its_card(trained):
    card = json.loads((trained / "small" / "card.json").read_text())
    assert card["labels"] == ["article", "ad", "donation_appeal", "headline_teaser", "boilerplate"]
    assert card["training_data"]["documents"] == 24 and len(card["training_data"]["sha256"]) == 64
    assert {"python", "numpy", "scikit-learn", "joblib"} <= set(card["libraries"])
    assert card["code_version"] and card["seed"] == 0
    assert card["parameters"]["stage_two_epochs"] == config.STAGE_TWO_EPOCHS
    assert load_model(trained / "small").classifier.second.n_iter_ == config.STAGE_TWO_EPOCHS  # no early stop
    for metrics in ("cross_validated_metrics", "dev_metrics"):
        assert set(card[metrics]["labels"]["article"]) == {"precision", "recall", "f1", "support"}
    assert card["cross_validated_metrics"]["paragraphs"] == sum(card["training_data"]["labels"].values())
    assert 0.3 <= card["temperature"] <= 5 and "by site" in card["calibration"]
    assert 0 <= card["cross_validated_calibration_error"] <= 1
    assert card["dev_data"]["documents_from_training_sites"] == 24  # the sample scored on itself


def test_train_warns_when_the_dev_data_shares_sites_with_the_training_data_or_cannot_calibrate(trained):
    warnings = [line for line in (trained / "train.log").read_text().splitlines() if "warning:" in line]
    assert any("24 of the 24 --dev documents are from sites the model is trained on" in line for line in warnings)
    assert any("the training pages are too few to calibrate on" in line for line in warnings)  # 24 pages


def test_the_model_file_does_not_hold_what_only_the_card_needs(trained):
    assert not hasattr(load_model(trained / "small").classifier, "cross_validated_")


def test_pages_cut_into_pieces_as_long_as_the_pages_are_labelled_as_the_pages_are(model_dir):
    docs = dataset.load(FIXTURES / "sample.jsonl")
    model = load_model(model_dir)
    longest = max(len(d.labels) for d in docs)
    whole = [label for p in model.classifier.predict([d.document for d in docs]) for label in p.labels]
    assert predicted_in_pieces(model, docs, longest) == whole
    assert len(predicted_in_pieces(model, docs, 3)) == len(whole)


def test_evaluate_writes_a_report_with_tables_and_plots(trained):
    report = (trained / "report" / "report.md").read_text()
    for heading in ("Per-label precision, recall and F1", "Parts of pages", "Confusion matrix", "most common mistakes",
                    "worst documents"):
        assert heading in report
    pieces = json.loads((trained / "report" / "metrics.json").read_text())["pieces"]
    assert sorted(pieces, key=int) == ["1", "3", "10"]
    assert all(scores["paragraphs"] == pieces["1"]["paragraphs"] > 0 for scores in pieces.values())
    for picture in ("confusion.png", "reliability.png"):
        assert (trained / "report" / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (trained / "report" / "report.html").read_text()
    assert "<table>" in page and "<strong>" in page and "**" not in page  # Markdown emphasis made HTML
    assert "24 of these 24 documents are from sites the model was trained on" in report  # scored on its own data


def test_the_report_says_whether_the_sites_scored_on_are_apart_from_those_the_model_was_fitted_on(tmp_path):
    sample = FIXTURES / "sample.jsonl"
    docs = dataset.load(sample)
    apart = [dataclasses.replace(d, site="elsewhere.example") for d in docs[:2]]
    card = {"training_data": {"files": [str(sample.relative_to(config.PROJECT_ROOT))],
                              "sha256": dataset.checksum([sample])}}
    assert held_out_statement(card, apart) == (
        "No site of these documents is in the data the model was trained on (tests/fixtures/sample.jsonl; "
        "checked site by site).")
    assert held_out_statement(card, docs[:2] + apart).startswith(
        "**2 of these 4 documents are from sites the model was trained on**")
    nameless = [dataclasses.replace(d, site="") for d in docs[:1]]
    assert held_out_statement(card, apart + nameless).endswith(
        "**1 of these 3 documents name no site (nor id)**, so whether they are apart from those sites is not known.")
    mixed = held_out_statement(card, docs[:2] + nameless)  # the overlap is still said
    assert mixed.startswith("**2 of these 3 documents are from sites the model was trained on**")
    assert "name no site (nor id)" in mixed
    assert dataset.site_of({"site": None, "id": "page-7"}) == "page-7" and dataset.site_of({}) == ""

    changed = {"training_data": {**card["training_data"], "sha256": "0" * 64}}
    gone = {"training_data": {"files": [str(tmp_path / "gone.jsonl")], "sha256": "0" * 64}}
    for unknown in (changed, gone):
        assert "is not checked: those files are not here as they were" in held_out_statement(unknown, apart)


def test_the_most_common_mistakes_come_with_examples_from_different_documents():
    docs = dataset.load(FIXTURES / "sample.jsonl")[:3]
    gold = np.array([label for d in docs for label in d.labels])
    assert common_mistakes(docs, gold, gold) == []
    predicted = np.where(gold == "article", "headline_teaser", gold)
    [(truth, guess, count, share, examples)] = common_mistakes(docs, gold, predicted)
    assert (truth, guess, count, share) == ("article", "headline_teaser", int(np.sum(gold == "article")), "100.0%")
    assert examples.count("“") == 2


@pytest.mark.parametrize("command", ["evaluate", "train", "benchmark"])
@pytest.mark.parametrize("content", [None, b"", b'{"id": "a", "text": "Unlabelled"}\n', b"{not json\n",
                                     b'{"paragraphs": [{"text": "a", "label": "news"}]}\n',
                                     b'{"origin": "real", "paragraphs": [{"text": "a", "label": "ad"}]}\n',
                                     "damaged gzip"],
                         ids=["missing", "empty", "unlabelled", "not JSON", "unknown label", "unknown origin",
                              "damaged gzip"])
def test_commands_that_read_labelled_data_refuse_what_they_cannot_read_with_one_error_line(tmp_path, model_dir, command,
                                                                                             content):
    data = tmp_path / "data.jsonl"
    if content == "damaged gzip":
        data = tmp_path / "data.jsonl.gz"
        packed = bytearray(gzip.compress((FIXTURES / "sample.jsonl").read_bytes(), mtime=0))
        packed[11] ^= 0xFF  # the block's code lengths: zlib fails ("invalid code lengths set"), not the CRC
        data.write_bytes(bytes(packed))
    elif content is not None:
        data.write_bytes(content)
    extra = ["--out", str(tmp_path / "out")]
    run = winnow(command, "--data", str(data), *extra, *(["--model", str(model_dir)] if command != "train" else []))
    assert run.returncode == 2
    assert run.stderr.decode().strip().splitlines()[-1].startswith("error: ") and b"Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def a_site_in_each_fold() -> list[str]:
    sites = {}
    for number in range(1000):
        sites.setdefault(fold_of(f"s{number}.example", config.FOLDS), f"s{number}.example")
    return [sites[fold] for fold in range(config.FOLDS)]


@pytest.mark.parametrize("labels, sites, refusal", [
    (["article"] * 5, ["a.example"] * 5, "no paragraph labelled ad"),
    (list(LABELS), ["one.example"] * 5, "sites fall in 1 of the 5 folds"),
    (["ad", *["article"] * 4, *["donation_appeal", "headline_teaser", "boilerplate"] * 5],
     a_site_in_each_fold() * 4, "every paragraph labelled ad is on sites of one fold")],
    ids=["a label missing", "one site", "a label in one fold"])
def test_train_refuses_data_it_cannot_fit_on_before_fitting(tmp_path, labels, sites, refusal):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"id": f"d{i}", "site": site, "paragraphs": [{"text": "A line", "label": label}]})
                            + "\n" for i, (label, site) in enumerate(zip(labels, sites))))
    run = winnow("train", "--data", str(data), "--dev", "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and refusal in run.stderr.decode() and b"Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_evaluate_refuses_a_directory_that_is_not_a_model_with_one_error_line(tmp_path):
    run = winnow("evaluate", "--data", str(FIXTURES / "sample.jsonl"), "--out", str(tmp_path / "out"),
                 model_dir=tmp_path)
    assert run.returncode == 2 and b"is not a winnow model" in run.stderr and b"Traceback" not in run.stderr
