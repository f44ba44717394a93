"""The benchmark's ratios (speeds over all passes, and how far they move pass by pass), and its refusals."""
from train import benchmark
from train.benchmark import BATCHED, Measurement, pass_ratio_spreads, speed_ratios
from train.baselines import EXTRACTORS
from winnow import config
from winnow.cli import CANNOT_RUN


def measurement(system: str, passes: tuple[float, ...]) -> Measurement:
    median = sorted(passes)[len(passes) // 2]
    return Measurement(system, median, 100 / median, 1000 / median, 1 / median, None, passes)


def test_each_ratio_comes_with_its_lowest_and_highest_pass_by_pass():
    winnow = measurement(BATCHED, (0.1, 0.2, 0.1))
    extractors = [measurement(name, (1.0, 1.0, 1.5)) for name in EXTRACTORS]
    results = [winnow, *extractors]

    for name in EXTRACTORS:
        key = f"{BATCHED} ÷ {name}"
        assert speed_ratios(results)[key] == 10.0  # 1.0 s against 0.1 s, the medians
        assert pass_ratio_spreads(results)[key] == (5.0, 15.0)  # 1.0 / 0.2 and 1.5 / 0.1


def test_without_data_or_fixtures_the_benchmark_refuses_with_one_error_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(benchmark, "DEFAULT_DATA", tmp_path / "test.jsonl.gz")
    monkeypatch.setattr(config, "FIXTURES_DIR", tmp_path)
    assert benchmark.main(["--out", str(tmp_path / "benchmark.md")]) == CANNOT_RUN
    assert capsys.readouterr().err.startswith("error: neither ")
    assert not (tmp_path / "benchmark.md").exists()
