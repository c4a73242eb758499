"""check-model's rows: the stylised facts and calibration bands, each averaged over enough seeds (sim.validation).

Each row runs many seeds of mature labs (minutes on 2 cores): marked slow. The command's plumbing is tested
cheaply in tests/integration/test_check_model_command.py.
"""

import pytest

from sim.validation import CHECKS, Checker

pytestmark = pytest.mark.slow


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
