"""The point fit's profile interval is measured only when enough evaluations lie near the best (issue 31)."""

from sim.analysis.calibrate import PROFILE_MIN, CalibrationSpec, profile, uninformed_line


def spec_with(losses: list[float], xs: list[float]) -> CalibrationSpec:
    spec = CalibrationSpec("carrefour_numerique", {"visitors": 8000.0}, {"discovery_rate": (0.0, 1.0)}, 2, 40, 1)
    spec.history = [{"loss": loss, "discovery_rate": x} for loss, x in zip(losses, xs, strict=True)]
    return spec


def test_one_evaluation_near_the_best_is_not_an_interval():
    # the best is far below the others: its interval is a point, which says nothing of how well it is known
    table = profile(spec_with([1.0, 50.0, 60.0, 70.0], [0.5, 0.1, 0.9, 0.3]), {"discovery_rate": 0.5})
    assert table["evaluations_within"].iloc[0] == 1 < PROFILE_MIN
    assert not table["informed"].iloc[0]
    assert "too few" in uninformed_line(table) and "1 evaluation " in uninformed_line(table)


def test_a_narrow_interval_over_enough_evaluations_informs_and_a_wide_one_does_not():
    narrow = profile(spec_with([1.0, 1.5, 2.0, 90.0], [0.50, 0.52, 0.55, 0.1]), {"discovery_rate": 0.5})
    assert narrow["informed"].iloc[0] and uninformed_line(narrow) == ""
    wide = profile(spec_with([1.0, 1.5, 2.0, 90.0], [0.02, 0.5, 0.97, 0.1]), {"discovery_rate": 0.5})
    assert not wide["informed"].iloc[0] and "discovery_rate (profile interval 95% of its box)" in uninformed_line(wide)
