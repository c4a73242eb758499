"""The coverage study's pure parts (sim.analysis.coverage): the hidden values, the SBC rank, the summary table."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis import coverage

BOXES = {"discovery_rate": (0.002, 0.012), "return_base_visitor": (0.02, 0.3)}


def test_the_hidden_values_are_fixed_by_the_seed_and_lie_in_their_boxes():
    a, b = coverage.truths(BOXES, 50, seed=3), coverage.truths(BOXES, 50, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(coverage.truths(BOXES, 50, seed=4))
    for name, (lo, hi) in BOXES.items():
        assert a[name].between(lo, hi).all()
    assert coverage.seeds(3, 0) == coverage.seeds(3, 0) != coverage.seeds(3, 1)
    assert len(set(coverage.seeds(3, 0))) == 2  # the log's seed is not the calibration's


def test_the_rank_is_the_weighted_posterior_cdf_at_the_truth():
    values, weights = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])
    assert coverage.rank(values, weights, 0.5) == 0.0
    assert coverage.rank(values, weights, 2.5) == 0.5
    assert coverage.rank(values, weights, 3.0) == pytest.approx(0.625)  # a tie counts half
    assert coverage.rank(values, np.array([0.0, 0.0, 0.0, 2.0]), 3.5) == 0.0


def test_the_binomial_interval_is_clopper_pearson():
    lo, hi = coverage.binomial_interval(18, 20)
    assert lo == pytest.approx(0.6830, abs=1e-3) and hi == pytest.approx(0.9877, abs=1e-3)
    assert coverage.binomial_interval(20, 20)[1] == 1.0 and coverage.binomial_interval(0, 20)[0] == 0.0


def test_the_summary_counts_coverage_per_setting_and_pooled_against_the_target():
    rows = []
    for log in range(10):
        rows.append({"log": log, "setting": "a", "truth": 0.5, "q05": 0.4, "q95": 0.6, "covered": True,
                     "width_share": 0.2, "rank": (log + 0.5) / 10})
        missed = log < 5  # b: half its intervals miss, below
        rows.append({"log": log, "setting": "b", "truth": 0.1 if missed else 0.5, "q05": 0.4, "q95": 0.6,
                     "covered": not missed, "width_share": 0.4, "rank": 0.0 if missed else 0.5})
    summary = coverage.summarise(pd.DataFrame(rows)).set_index("setting")
    assert summary.loc["a", "coverage"] == 1.0 and not summary.loc["a", "within"]  # over the 97% bound
    assert summary.loc["b", "coverage"] == 0.5 and summary.loc["b", ["below", "above"]].tolist() == [5, 0]
    assert summary.loc[coverage.POOLED, "n"] == 20 and summary.loc[coverage.POOLED, "covered"] == 15
    assert summary.loc["a", "rank_ks_p"] > 0.5 > summary.loc["b", "rank_ks_p"]
    text = coverage.markdown(summary.reset_index())
    assert "| a | 10 | 10 | 100%" in text and "OVER" in text and "UNDER" in text
