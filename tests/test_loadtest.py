"""The load-test script itself works: a short run against a server it starts finds no problem."""
import pytest

from serve import loadtest


def test_a_short_load_run_finds_no_server_error_and_no_dropped_paragraph(capsys):
    assert loadtest.main(["--clients", "4", "--seconds", "2"]) == 0
    out = capsys.readouterr().out
    assert "5xx: 0; server alive after: True" in out and "PROBLEM" not in out


def test_it_refuses_to_load_a_machine_other_than_this_one(capsys):
    with pytest.raises(SystemExit) as stop:
        loadtest.main(["--url", "http://10.0.0.1:8000"])
    assert stop.value.code == 2
    assert "this machine only" in capsys.readouterr().err
