"""Every page comes from a template with autoescape: no HTML in Python strings, a hostile name shown, never run."""

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.abc import AbcResult, intervals
from sim.analysis.discover import Discovery
from sim.pages import abc as abc_page
from sim.pages import comparison, discovery, log, report
from sim.pages.render import environment, png, render

SIM = Path(__file__).resolve().parents[2] / "sim"
HOSTILE = "<script>alert(1)</script>"
TAGS = ("html", "head", "body", "title", "style", "script", "meta", "div", "span", "p", "a", "b", "i", "br", "h1",
        "h2", "h3", "h4", "table", "tr", "td", "th", "img", "ul", "ol", "li", "dl", "dt", "dd", "pre", "code",
        "details", "summary", "section")
TAG = re.compile(r"<\s*/?\s*(" + "|".join(TAGS) + r")(\s|/?>)", re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring constants (their text may name a tag, e.g. 'an <img> embedded')."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def html_in_python() -> list[str]:
    """Every string literal (plain, f-string part, concatenated) in sim/**/*.py that holds an HTML tag."""
    found = []
    for path in sorted(SIM.rglob("*.py")):
        tree = ast.parse(path.read_text())
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                    and TAG.search(node.value)):
                found.append(f"{path.relative_to(SIM.parent)}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_no_html_is_assembled_in_python():
    assert html_in_python() == [], "HTML belongs in sim/pages/templates (rendered with autoescape)"


def test_the_html_finder_finds_tags_in_f_strings_and_concatenations(tmp_path):
    tree = ast.parse('x = f"<h2>{a}</h2>"\ny = "<table>" + rows\nz = "<5 people"\nw = "results/<name>"\n')
    hits = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and TAG.search(n.value)]
    assert hits == ["<h2>", "</h2>", "<table>"]


def test_the_environment_escapes_and_the_templates_ship():
    env = environment()
    assert env.autoescape is True or env.autoescape("page.html")
    import tomllib

    globs = tomllib.loads((SIM.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["sim.pages"]
    files = [p.relative_to(SIM / "pages") for p in (SIM / "pages" / "templates").rglob("*") if p.is_file()]
    assert {"templates/base.html", "templates/page.css"} <= {str(f) for f in files}
    assert [f for f in files if not any(len(f.parts) == len(Path(g).parts) and f.match(g) for g in globs)] == [], "a template that would not ship"


def test_a_figure_must_be_a_regular_png(tmp_path):
    assert png(tmp_path / "missing.png") == ""
    (tmp_path / "fake.png").write_text("not a png")
    from sim.errors import LabsimError

    with pytest.raises(LabsimError, match="not a PNG"):
        png(tmp_path / "fake.png")
    (tmp_path / "link.png").symlink_to(tmp_path / "fake.png")
    with pytest.raises(LabsimError, match="not a regular file"):
        png(tmp_path / "link.png")


# -- every kind of page, with a hostile scenario name --------------------------------------------------------
def escaped(page: str, shown: str = "&lt;script&gt;alert(1)&lt;/script&gt;") -> None:
    assert HOSTILE not in page and "<script" not in page
    assert shown in page


def _report(kind: str, shown: dict) -> str:
    return render(f"report/{kind}.html", kind=kind, name=HOSTILE, version="0", **shown)


def test_run_page(tmp_path):
    (tmp_path / "summary.json").write_text(json.dumps({"scenario": HOSTILE, "seed": 1, "years": 1.0, "visitors": 12}))
    escaped(_report("run", report._run(tmp_path)))


def test_map_page(tmp_path):
    (tmp_path / "map.json").write_text(json.dumps({"resolution": 2, "reps": 1, "years": 1.0, "root_seed": 1,
                                                   "corners": {"a": f"{HOSTILE}.toml"},
                                                   "preset_results": {HOSTILE: {"visitors": 3.0}}}))
    pd.DataFrame({"point": [0], "public_market": [0.0], "open_closed": [0.0], "visitors": [1.0]}).to_csv(
        tmp_path / "map.csv", index=False)
    escaped(_report("map", report._map(tmp_path)))


def test_batch_page():
    shown = {"info": {"name": HOSTILE}, "figure": "", "points": pd.DataFrame({"design point": [HOSTILE]}),
             "method": "m", "glossary": []}
    escaped(_report("batch", shown))


def test_sensitivity_page(tmp_path):
    (tmp_path / "sensitivity.json").write_text(json.dumps({"method": "morris", "scenario": HOSTILE, "n": 2,
                                                           "points": 6, "replications": 1, "root_seed": 1,
                                                           "inert": [f"inert: {HOSTILE}"]}))
    pd.DataFrame({"output": ["visitors"], "parameter": [HOSTILE], "rank": [1]}).to_csv(
        tmp_path / "sensitivity.csv", index=False)
    pd.DataFrame({"output": ["visitors"], "noise_share": [0.1]}).to_csv(tmp_path / "noise.csv", index=False)
    escaped(_report("sensitivity", report._sensitivity(tmp_path)))


def test_calibration_page(tmp_path):
    (tmp_path / "calibrated.toml").write_text(f'name = "{HOSTILE}"\n')
    pd.DataFrame({"target": ["visitors"], "value": [1], "simulated_mean": [1.0], "reproduced": [True]}).to_csv(
        tmp_path / "fit.csv", index=False)
    (tmp_path / "verdict.txt").write_text(f"the model reproduces all 1 targets {HOSTILE}\n")
    pd.DataFrame({"setting": [HOSTILE], "profile_low": [0.1]}).to_csv(tmp_path / "intervals.csv", index=False)
    page = _report("calibration", report._calibration(tmp_path))
    escaped(page)
    assert page.index("the model reproduces all 1 targets") < page.index("<h2>Fit</h2>")  # the verdict comes first


def test_optimization_page(tmp_path):
    (tmp_path / "optimize.json").write_text(json.dumps({"search": HOSTILE, "scenario": "s", "objectives": ["a"],
                                                        "evaluations": 1, "pareto_points": 1,
                                                        "scenario_files": [f"{HOSTILE}.toml"]}))
    pd.DataFrame({"trial": [0]}).to_csv(tmp_path / "pareto.csv", index=False)
    escaped(_report("optimization", report._optimization(tmp_path)))


def test_comparison_page():
    names = ["base", HOSTILE]
    table = pd.DataFrame([{"metric": "visitors", "scenario": n, "mean": 10.0, "ci_low": 9.0, "ci_high": 11.0,
                           "diff": 1.0 if i else 0.0, "significant": bool(i)} for i, n in enumerate(names)])
    by = {"visitors": table.set_index("scenario")}
    cells = comparison.cells(by, names, ["visitors"])
    shown = {"asked": HOSTILE, "changes": HOSTILE, "from_when": "now", "base": names[0], "reps": 2, "years": "1",
             "answered": "a", "found": [HOSTILE], "focus": False, "focus_figure": "", "transient_names": HOSTILE,
             "transient": comparison.TRANSIENT, "funnel": cells, "budget": comparison.cells(by, names, []),
             "rules": "", "funnels": "", "network_reading": [HOSTILE], "network": "", "rings": [("", HOSTILE)],
             "warmup": HOSTILE, "timeseries": "", "outcome_count": 1, "groups": [{"name": "Funnel", "table": cells}],
             "diff": pd.DataFrame({"setting": ["name"], "base": ["base"], HOSTILE: [HOSTILE]}),
             "info": {"scenarios": ", ".join(names)}, "how": "h", "method": "m", "glossary": [],
             "inert": [f"inert: {HOSTILE}"]}
    page = _report("comparison", shown)
    escaped(page)
    assert "<span class='sig'>*</span>" in page
    row = {"label": HOSTILE, "title": HOSTILE, "base": HOSTILE, "policy": HOSTILE, "effect": HOSTILE,
           "chance": HOSTILE, "verdict": "loss"}
    drawn = {"found": [HOSTILE], "rows": [row], "base": HOSTILE, "folder": HOSTILE, "draws": 2, "seeds": 2,
             "settings": HOSTILE, "low": "0.2", "high": "0.8", "level": "90%"}  # compare --posterior's answer
    page = _report("comparison", shown | {"posterior": drawn, "pairs": HOSTILE})
    escaped(page)
    assert "How sure: over the calibration" in page


def test_abc_page(tmp_path):
    post = pd.DataFrame({"a": [0.1, 0.2, 0.3], "weight": [1 / 3] * 3, "distance": [0.1] * 3})
    result = AbcResult({"a": (0.0, 1.0)}, {"visitors": 3.0}, post, pd.DataFrame({"generation": [0]}),
                       stopped=HOSTILE)
    result.intervals = intervals(result)
    escaped(abc_page.page(result, tmp_path, HOSTILE))
    page = abc_page.page(result, tmp_path, "t", head=["verdict: 1 of 1 targets reproduced", HOSTILE],
                         failures=f"2 of 40 runs failed; first reason: {HOSTILE}")
    escaped(page)  # the failed runs (issue 33) first, then the verdict's lines (issue 31), both escaped
    assert page.index("id='failures'") < page.index("verdict: 1 of 1") < page.index("90% credible intervals")


def test_discover_page(tmp_path):
    traj = pd.DataFrame({"step": [0], "coverage": [1.0], "density": [0.5], "mass": [1.0], "restricted": [0]})
    limits = pd.DataFrame([{"setting": HOSTILE, "low": np.nan, "high": np.nan, "sample_low": np.nan,
                            "sample_high": np.nan, "values": HOSTILE, "restricted": False, "qp_value": np.nan,
                            "significant": False}])
    found = Discovery(HOSTILE, pd.DataFrame({"x": [1, 2]}), np.array([True, False]), traj, 0, limits, tree=HOSTILE)
    escaped(discovery.page(found, tmp_path / HOSTILE, {"box": tmp_path / "b.png", "trajectory": tmp_path / "t.png"}))


def test_log_page(tmp_path):
    from sim.logs.describe import describe
    from sim.logs.visitlog import VisitLog, hash_people

    people = [f"p{i % 7}" for i in range(40)]
    frame = pd.DataFrame({"person_hash": hash_people(people, b"t"),
                          "date": pd.Timestamp("2022-01-03") + pd.to_timedelta(range(40), unit="D"),
                          "kind": "visit", "channel": ""})
    found = describe(VisitLog(frame, 40, 0, "<script>alert(1)&.csv"))  # a file name has no slash
    escaped(log.page(found, tmp_path), "&lt;script&gt;alert(1)&amp;.csv")


def test_page_tables_use_outcome_labels_and_readable_numbers():
    # issue 34: raw column names and 6-decimal shares in the log's, ABC's and calibration's tables
    import pandas as pd

    from sim.pages.render import table

    df = pd.DataFrame({"year": [2024, 2025], "returning_visitors": ["<5", 1284.0],
                       "gini_visits": [0.163668, 0.50617], "note": ["a", "b"]})
    html = str(table(df))
    assert "Returning visitors" in html and "returning_visitors" not in html and "Gini" in html
    assert "0.164" in html and "0.163668" not in html and "1,284" in html and "&lt;5" in html
    assert "2024" in html and "2,024" not in html


def test_the_page_css_keeps_tables_and_pre_inside_their_box():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "sim" / "pages" / "templates" / "page.css").read_text()
    assert "table{display:block;max-width:100%;overflow-x:auto}" in css and "pre{max-width:100%;overflow-x:auto" in css
