"""Comparisons with common random numbers, the quantified map, and HTML reports."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from sim.analysis.lab_map import CORNERS, settings_at
from sim.cli import main
from sim.config.scenario import load_scenario


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """Digital Arti against itself with half the staff: small, fast, with a real difference.

    Half a year after half a year of warm-up (not the preset's 4 years): a fifth of the work.
    """
    d = tmp_path_factory.mktemp("cmp")
    (d / "half_staff.toml").write_text('extends = "digital_arti"\nname = "half_staff"\nmediators = 4\n')
    out = d / "out"
    code = main(["compare", "digital_arti", str(d / "half_staff.toml"), "--reps", "4", "--out", str(out),
                 "--years", "0.5", "--set", "warmup_years=0.5", "--quiet", "--workers", "1"])
    assert code == 0
    return out


def test_compare_writes_table_and_figures(comparison):
    table = pd.read_csv(comparison / "comparison.csv")
    assert {"metric", "scenario", "mean", "ci_low", "ci_high", "diff", "diff_low", "diff_high",
            "significant"} <= set(table.columns)
    assert set(table["scenario"]) == {"digital_arti", "half_staff"}
    for name in ("funnels.png", "network_metrics.png", "timeseries.png", "rings_digital_arti.png",
                 "rings_half_staff.png"):
        assert (comparison / name).stat().st_size > 5000, name
    assert not list(comparison.glob("activities_*.png"))  # the people-by-activity hairball is no more


def test_differences_are_paired_by_replication(comparison):
    runs = pd.read_parquet(comparison / "batch" / "runs.parquet")
    a = runs[runs["scenario"] == "digital_arti"].set_index("replication")
    b = runs[runs["scenario"] == "half_staff"].set_index("replication")
    assert (a["seed"] == b["seed"]).all()  # common random numbers
    table = pd.read_csv(comparison / "comparison.csv").set_index(["metric", "scenario"])
    visits = table.loc[("visits", "half_staff")]
    assert visits["diff"] == pytest.approx((b["visits"] - a["visits"]).mean())
    lo, hi = visits["diff_low"], visits["diff_high"]
    assert bool(visits["significant"]) == (lo > 0 or hi < 0)


def test_compare_bad_input(tmp_path, capsys):
    assert main(["compare", "digital_arti", "--reps", "3", "--out", str(tmp_path / "a")]) == 2
    assert "two or more" in capsys.readouterr().err
    assert main(["compare", "digital_arti", "friche", "--reps", "1", "--out", str(tmp_path / "b")]) == 2
    assert "--reps" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_report_on_a_folder_without_results(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "holds no labsim results" in capsys.readouterr().err


def _assert_self_contained(path):
    text = path.read_text()
    assert text.startswith("<!doctype html>")
    assert text.count("data:image/png;base64,") >= 1
    assert not re.search(r"""(src|href)=["']https?://""", text), "a report must not need the network"
    return text


def test_comparison_report(comparison):
    assert main(["report", str(comparison)]) == 0
    text = _assert_self_contained(comparison / "report.html")
    assert "Method and what was run" in text and "How to read this" in text and "half_staff" in text
    assert text.count("data:image/png;base64,") >= 6
    order = [text.index(h) for h in ("The question:", "Headline (", "Funnel and budget", "The network", "Over time",
                                      "Every outcome (", "Settings that differ (", "Method and what was run",
                                      "Glossary", "id='how-to-read'")]
    assert order == sorted(order)  # the question and the answer first, the settings after the results
    assert text.index("href='#how-to-read'") < text.index("The question:")  # how to read it, linked from the top
    settings = text[text.index("Settings that differ ("):text.index("Method and what was run")]
    assert "mediators" in settings and "host_footfall_per_day" not in settings  # only what differs
    assert "<details id='settings'>" in text and "<details id='every-outcome'>" in text  # folded
    assert "What changed:</b> half_staff: mediators 8 -&gt; 4" in text
    assert "percentile bootstrap" in text  # the method is stated
    assert "Headline (lab built with these settings from the start)" in text  # the question answered
    assert "built with its settings from the start" in text[text.index("Method and what was run"):]
    body = re.sub(r'src="data:image/png;base64,[^"]*"', "", text)
    assert not re.search(r"\de[+-]\d", body)  # no scientific notation
    assert "Subsidy rule: a fixed grant for digital_arti, half_staff (€50,000 a year)" in text  # staff changed
    table = pd.read_csv(comparison / "comparison.csv")
    counts = table[table["kind"] == "count"]
    assert (counts["ci_low"] >= 0).all()  # no count's interval below zero


def test_report_focus_leads_and_is_checked(comparison, capsys):
    assert main(["report", str(comparison), "--focus", "works_produced,public_cost"]) == 0
    text = (comparison / "report.html").read_text()
    items = text[text.index("<ol>"):text.index("</ol>")].split("<li>")[1:]
    assert items[0].startswith("Works produced (works): ") and items[1].startswith("Public cost (EUR): ")
    assert len(items) <= 5
    before = (comparison / "report.html").stat().st_mtime_ns
    assert main(["report", str(comparison), "--focus", "work_produced"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown outcome 'work_produced' (did you mean 'works_produced'?)" in err
    assert (comparison / "report.html").stat().st_mtime_ns == before  # nothing written


def test_compare_refuses_an_unknown_focus_before_running(tmp_path, capsys):
    assert main(["compare", "digital_arti", "friche", "--reps", "2", "--out", str(tmp_path / "c"),
                 "--focus", "contributors,netresult"]) == 2
    err = capsys.readouterr().err
    assert err == "error: --focus: unknown outcome 'netresult' (did you mean 'net_result'?); allowed: an outcome " \
                  "of sim/outcomes.py (the report's glossary, summary.json's keys)\n"
    assert not (tmp_path / "c").exists()


def test_run_and_batch_reports(tmp_path):
    assert main(["run", "digital_arti", "--out", str(tmp_path / "run"), "--years", "0.5"]) == 0
    assert main(["report", str(tmp_path / "run"), "--focus", "visitors"]) == 2  # a run has no headline to lead
    assert not (tmp_path / "run" / "report.html").exists()
    assert main(["report", str(tmp_path / "run")]) == 0
    text = _assert_self_contained(tmp_path / "run" / "report.html")
    assert "seed" in text
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    if summary["contributors"] < 5:  # the art lab has next to no contributors: no cost per contributor
        assert summary["cost_per_contributor"] is None and "n/a (&lt;5 contributors)" in text
    assert summary["public_cost"] == summary["subsidy"] and "Public cost (EUR)" in text
    exp = tmp_path / "e.toml"
    exp.write_text('scenarios = ["digital_arti"]\nreplications = 2\nyears = 0.25\nfocus = ["public_cost"]\n'
                   '[grid]\nmediators = [4, 8]\n')
    assert main(["batch", str(exp), "--out", str(tmp_path / "b"), "--workers", "1", "--quiet"]) == 0
    assert main(["report", str(tmp_path / "b")]) == 0
    text = _assert_self_contained(tmp_path / "b" / "report.html")
    head = text[text.index("Key table"):]
    assert head.index("Public cost (EUR)") < head.index("Visitors (people)")  # the file's focus leads
    assert main(["report", str(tmp_path / "b"), "--focus", "works_produced"]) == 0  # --focus overrides it
    head = (tmp_path / "b" / "report.html").read_text()
    head = head[head.index("Key table"):]
    assert head.index("Works produced (works)") < head.index("Visitors (people)") and "Public cost" not in head


def test_a_report_embeds_only_the_figures_labsim_wrote_and_escapes_the_folder_name(tmp_path, capsys):
    run = tmp_path / "<img src=x onerror=alert(1)>"
    assert main(["run", "digital_arti", "--out", str(run), "--years", "0.25", "--set", "warmup_years=0.25"]) == 0
    assert main(["report", str(run)]) == 0
    page = (run / "report.html").read_text()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # title and heading escaped
    (run / "report.html").unlink()
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2")
    figure = next(run.glob("*.png"))
    figure.unlink()
    figure.symlink_to(secret)  # a figure replaced by a link to another file
    assert main(["report", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "a symbolic link" in err and not (run / "report.html").exists()
    figure.unlink()
    figure.write_bytes(b"password=hunter2")  # a file that is not a PNG
    assert main(["report", str(run)]) == 2
    assert "not a PNG image" in capsys.readouterr().err and not (run / "report.html").exists()


def test_map_corners_are_the_corner_presets():
    for (pm, oc), ref in CORNERS.items():
        s = load_scenario(ref).settings
        for key, value in settings_at(float(pm), float(oc)).items():
            assert getattr(s, key) == pytest.approx(value), (ref, key)


def test_map_blends_between_corners():
    mid = settings_at(0.5, 0.5)
    values = [load_scenario(r).settings.mediators for r in CORNERS.values()]
    assert mid["mediators"] == round(np.mean(values))
    assert load_scenario("carrefour_numerique").with_settings(**mid)  # a valid setting


def test_map_command(tmp_path):
    out = tmp_path / "map"
    assert main(["map", "--out", str(out), "--resolution", "2", "--reps", "1", "--quiet", "--workers", "2",
                 "--years", "0.25"]) == 0
    grid = pd.read_csv(out / "map.csv")
    assert len(grid) == 4 and {"public_market", "open_closed", "visitors", "density"} <= set(grid.columns)
    open_public = grid[(grid.public_market == 0) & (grid.open_closed == 0)]["visitors"].item()
    closed_market = grid[(grid.public_market == 1) & (grid.open_closed == 1)]["visitors"].item()
    assert open_public > 10 * closed_market
    assert (out / "map.png").stat().st_size > 10000
    assert main(["report", str(out)]) == 0
    _assert_self_contained(out / "report.html")
    assert json.loads((out / "map.json").read_text())["presets"]["digital_arti"]["open_closed"] == 0.85
