"""The stylised facts and calibration bands, each averaged over enough seeds (see sim.validation)."""

import pytest

from sim.cli import main
from sim.validation import CHECKS, Checker


@pytest.fixture(scope="module")
def checker():
    # exactly check-model's seeds (docs/ODD.md 1.2 gives the values measured with them)
    with Checker() as c:  # one pool of workers for every check
        yield c


@pytest.mark.parametrize("check", CHECKS, ids=lambda f: f.__name__)
def test_check_passes(checker, check):
    rows = list(check(checker))
    assert rows
    failed = [f"{r.fact}: target {r.target}, measured {r.measured} ({r.tolerance})" for r in rows if not r.passed]
    assert not failed, "\n".join(failed)
    assert not checker.failed, checker.failed


def test_check_model_command_prints_the_table(capsys, monkeypatch):
    # a cheap run of the command's plumbing; the facts themselves are asserted above
    import sim.validation as v

    monkeypatch.setattr(v, "CHECKS", (v.calibration,))
    code = main(["check-model", "--seeds", "2", "--network-seeds", "2"])
    out = capsys.readouterr().out
    assert "open: occasional users" in out and "tolerance" in out
    assert code in (0, 1)
    assert "checks pass" in out


def test_check_model_refuses_too_few_seeds(capsys):
    assert main(["check-model", "--seeds", "1"]) == 2
    assert "--seeds" in capsys.readouterr().err
