"""The explorer, proved in a real browser: headless Chromium driven by Playwright.

The page must load with a mature lab's funnel on its first screen, its axes
labelled in plain numbers (the tick text is read from the SVG the browser got),
Mesa's run controls folded under "Advanced", a slider must change the model's
setting (after Reset, as in every Mesa SolaraViz app), Step must advance time
and move the funnel, and the server must print no warning for the visit; a
screenshot is kept in tests/artifacts/. Chromium comes from Debian (`make test`
installs it); in CI a missing browser fails the test instead of skipping it.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("solara", reason="the explorer is the [explore] extra: pip install -e '.[explore]'")

from browser import CHROMIUM, FLAGS, needs_browser

from sim.cli import main

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts/ (ignored by git)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def explorer(tmp_path_factory, module_processes):
    """`labsim explore` on a small open lab, served on a free port until the tests end."""
    lab = tmp_path_factory.mktemp("lab") / "small_open.toml"
    lab.write_text('extends = "carrefour_numerique"\nname = "small_open"\nhost_footfall_per_day = 1500.0\n')
    port = _free_port()
    log = lab.with_name("server.log")  # a file, not a pipe: read while the server runs, never full
    with log.open("wb") as out:
        proc = module_processes.popen([sys.executable, "-m", "sim", "explore", str(lab), "--port", str(port), "--set",
                                       "mediators=9"], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 600  # guards against a hang, never a measure (as every timeout below)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
        if proc.poll() is not None:
            pytest.fail(f"labsim explore exited early: {log.read_text()[-2000:]}")
    else:
        pytest.fail("labsim explore did not answer within 10 minutes")  # module_processes kills it
    yield url, log
    os.killpg(proc.pid, 15)
    proc.wait(timeout=120)


def _status(page) -> str:
    return page.locator("text=Funnel so far").locator("xpath=..").inner_text()


SVG = "http://www.w3.org/2000/svg"
READ_SVGS = """async () => {
    const out = [];
    for (const img of document.querySelectorAll('img')) {
        if (!img.src || !img.offsetParent) continue;  // shown images only
        const text = await (await fetch(img.src)).text();
        if (text.includes('<svg')) out.push(text);
    }
    return out;
}"""


def _figure_texts(page, title: str) -> dict[str, list[str]]:
    """The words of the shown SVG figure whose title starts with `title`: its y and x tick labels, and all its text."""
    for svg in page.evaluate(READ_SVGS):
        root = ET.fromstring(svg)
        words = ["".join(t.itertext()).strip() for t in root.iter(f"{{{SVG}}}text")]
        if any(w.startswith(title) for w in words):
            return {"y": _ticks(root, "ytick_"), "x": _ticks(root, "xtick_"), "all": words}
    return {}


def _ticks(root, kind: str) -> list[str]:
    """The tick labels of one axis of a matplotlib SVG: the text of its groups `xtick_1`, `xtick_2`, ..."""
    groups = [g for g in root.iter(f"{{{SVG}}}g") if (g.get("id") or "").startswith(kind)]
    return [w for g in groups for t in g.iter(f"{{{SVG}}}text") if (w := "".join(t.itertext()).strip())]


def _plain_ticks(labels: list[str]) -> bool:
    """Tick labels a person reads: numbers in digits (1,000 or 0.5), never raw math text such as $\\mathdefault{10^{3}}$."""
    return len(labels) >= 3 and all(re.fullmatch(r"-?[\d,]+(\.\d+)?", w) for w in labels)


@needs_browser
def test_slider_reset_and_step_in_chromium(explorer):
    if not os.environ.get("CI"):  # in CI, as a missing browser, a missing Playwright fails the test
        pytest.importorskip("playwright", reason="Playwright is in the [dev] extra")
    from playwright.sync_api import sync_playwright

    explorer, log = explorer
    assert CHROMIUM, "Chromium is required in CI"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(600_000)  # Playwright's 30 s default would fail a slow machine, not a broken page
        failed, requested, errors = [], [], []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: requested.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(explorer, wait_until="networkidle", timeout=600_000)
        page.wait_for_selector("text=Funnel so far", timeout=600_000)
        page.wait_for_load_state("networkidle")
        assert page.title() == "labsim explorer"  # not Solara's "App"
        assert "mediators 9" in _status(page)  # labsim explore --set mediators=9
        assert failed == [] and errors == []  # no failed request (KaTeX and the rest are served locally)
        assert all(u.startswith((explorer, "blob:", "data:")) for u in requested), requested
        assert not page.get_by_text("Page 0").is_visible()  # one page: no tab bar
        values = [e.inner_text() for e in page.locator(".v-slider__thumb-label").all() if e.is_visible()]
        assert "9" in values and len(values) >= 7  # every setting's slider shows its value

        # the first screen: a mature lab a year on, its funnel drawn and standing on its base, as labsim run's
        first = _status(page)
        assert "a mature lab" in first and re.search(r"\bday 365\b", first), first
        funnel = [int(re.search(rf"{step} (\d+)", first).group(1)) for step in ("visitors", "contributors", "partners")]
        assert funnel[0] > funnel[1] > funnel[2] > 0, first
        drawn = _figure_texts(page, "Engagement funnel")
        assert drawn, "no funnel figure on the first screen"
        assert _plain_ticks(drawn["y"]), drawn["y"]  # readable numbers, not raw $\mathdefault{10^{3}}$
        assert not any("mathdefault" in w or "$" in w for w in drawn["all"]), drawn["all"]
        assert f"{funnel[0]:,}" in drawn["all"]  # the bar's label is the status line's count
        roles = _figure_texts(page, "Active people per role")  # a year of weekly points, over weeks
        assert roles and _plain_ticks(roles["y"]) and _plain_ticks(roles["x"]), roles

        # Mesa's controls: the buttons explained at the top; play speed, render interval and threads folded away
        assert page.get_by_text("runs 7 days").is_visible()
        assert page.get_by_role("button", name="Step", exact=True).is_visible()
        assert not page.get_by_text("Play Interval").count()  # Mesa's own, unexplained controls are gone
        assert not page.get_by_text("Pause while playing (ms)").is_visible()
        page.get_by_text("Advanced: days per Step").click()
        page.get_by_text("Pause while playing (ms)").wait_for(state="visible")
        assert page.get_by_text("Days per Step", exact=True).is_visible()

        slider = page.locator(".v-input", has_text="Mediators").get_by_role("slider")
        slider.focus()
        for _ in range(3):
            slider.press("ArrowLeft")
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function("document.body.innerText.includes('mediators 6')", timeout=600_000)

        before = int(re.search(r"visitors (\d+)", _status(page)).group(1))
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function("/day 372\\b/.test(document.body.innerText)", timeout=600_000)
        status = _status(page)
        after = int(re.search(r"visitors (\d+)", status).group(1))
        assert after > before  # a week of arrivals moved the funnel
        assert "a mature lab" in status  # the preset's lab after its warm-up and a year with the settings
        assert failed == [] and errors == []
        page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=True)

        page.locator(".v-input", has_text="Start from").locator(".v-select__slot").click()  # the toggle
        page.get_by_role("option", name="an empty lab").click()
        page.get_by_role("button", name="Reset", exact=True).click()
        page.wait_for_function("document.body.innerText.includes('an empty lab built with these settings')",
                               timeout=600_000)
        assert re.search(r"\bday 0\b", _status(page))
        page.get_by_text("Active people per role: drawn from week").wait_for(state="visible")  # no one-point plot
        browser.close()
    assert (ARTIFACTS / "explorer.png").stat().st_size > 20_000
    said = log.read_text()
    assert "warn" not in said.lower(), said  # a normal visit prints no warning (Solara's cookie note included)


def test_explorer_model_takes_the_knobs():
    from sim.explorer.app import ExplorerModel, Start, live_funnel

    model = ExplorerModel(preset="digital_arti", mediators=3, access="open", price_per_visit=2.0, start=Start.TODAY)
    assert (model.settings.mediators, model.settings.access, model.settings.price_per_visit) == (3, "open", 2.0)
    assert model.settings.residency_calls_per_year == 3.0  # the rest is the preset's
    start = model.time  # the end of digital_arti's warm-up: the knobs apply from now on
    assert start == model.measure_start == model.settings.warmup_years * 365
    model.step()
    assert model.time == start + 1.0
    assert set(live_funnel(model)) == {"visitors", "returning_visitors", "contributors", "partners"}


def test_app_page_builds():
    from sim.explorer import app

    assert app.page is not None
    assert set(app.model_params()) >= {"preset", "mediators", "access", "price_per_visit", "open_documentation"}
    assert app.model_params()["start"]["values"] == [s.value for s in app.Start]
    assert app.model.start is app.Start.YEAR_ON  # the first screen's lab: a mature year


def test_explorer_starts_from_the_set_keys(monkeypatch):
    from sim.explorer import app

    monkeypatch.setattr(app, "START_SETTINGS", {"mediators": 3, "access": "appointment"})
    params = app.model_params(app.START)
    assert params["mediators"].value == 3 and params["access"]["value"] == "appointment"
    assert app.base_scenario("digital_arti").settings.mediators == 8  # another preset: its own values


def test_funnel_at_day_zero_counts_no_one():
    from sim.explorer.app import ExplorerModel, Start, live_funnel

    model = ExplorerModel(preset="digital_arti", start=Start.EMPTY)
    funnel = live_funnel(model)  # the regulars present at day 0 count as contributors and partners, not returners
    assert (funnel["visitors"], funnel["returning_visitors"]) == (0, 0)
    assert model.time == 0.0


def test_explorer_starts_from_the_mature_lab_as_labsim_run(capsys):
    """The explorer's lab is the preset's after its warm-up, the same lab `labsim run` measures from the same seed."""
    from sim.config.scenario import load_scenario
    from sim.explorer.app import ExplorerModel, Start, live_funnel
    from sim.run import simulate

    model = ExplorerModel(preset="friche", rng=3, start=Start.TODAY)
    assert model.time == model.measure_start == load_scenario("friche").settings.warmup_years * 365
    assert "warming up friche" in capsys.readouterr().out  # the progress note, printed once
    ExplorerModel(preset="friche", rng=3, mediators=1, start=Start.TODAY)  # another policy, same lab: no second warm-up
    assert "warming up" not in capsys.readouterr().out
    model.run_for(28)
    ran = simulate(load_scenario("friche"), seed=3, years=28 / 365)  # the run that never stopped
    assert live_funnel(model) == live_funnel(ran)
    f = live_funnel(model)
    assert f["visitors"] > f["contributors"] > f["partners"] > 0, f


def test_the_first_screen_is_a_mature_year_as_labsim_run():
    """Issue 34: the first screen showed day 0 and no funnel; it now shows the year `labsim run` measures."""
    from sim.config.scenario import load_scenario
    from sim.explorer.app import ExplorerModel, funnel_figure, live_funnel, roles_figure
    from sim.run import simulate

    model = ExplorerModel(preset="friche", rng=3)  # the default: the explorer's first screen
    assert model.time - model.measure_start == 365
    f = live_funnel(model)
    assert f == live_funnel(simulate(load_scenario("friche"), seed=3, years=1.0))
    assert f["visitors"] > f["contributors"] > f["partners"] > 0, f
    fig = funnel_figure(f, 365)
    fig.canvas.draw()
    ax = fig.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) >= 3 and all(re.fullmatch(r"[\d,]+", t) for t in ticks), ticks  # 1,000, not $\mathdefault..$
    assert all(p.get_height() < ax.get_ylim()[1] for p in ax.patches)  # the tallest bar and its label inside
    roles = roles_figure(model)  # a year of weekly rows, over weeks
    assert roles is not None and roles.axes[0].get_xlim()[1] < 60
    roles.canvas.draw()
    assert all("$" not in t.get_text() for t in roles.axes[0].get_yticklabels())


def test_the_weekly_plot_waits_for_a_few_weeks():
    """Issue 34: one point on a 0.3-day axis; the plot is drawn from its fourth weekly point."""
    from sim.explorer.app import ROLES_FROM_WEEK, ExplorerModel, Start, roles_figure

    model = ExplorerModel(preset="digital_arti", start=Start.TODAY)
    assert roles_figure(model) is None
    model.run_for(7 * (ROLES_FROM_WEEK - 1))
    assert roles_figure(model) is None
    model.run_for(7)
    assert roles_figure(model) is not None


def test_explore_bad_set(capsys):
    assert main(["explore", "digital_arti", "--set", "mediatorz=3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "key 'mediatorz': unknown key (did you mean 'mediators'?)" in err


def test_explore_bad_scenario(capsys):
    assert main(["explore", "carrefour_numerik"]) == 2
    assert "did you mean 'carrefour_numerique'" in capsys.readouterr().err


def test_explore_port_in_use(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["explore", "digital_arti", "--port", str(port)]) == 2
    assert f"--port {port}" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("::", False)])
def test_a_host_other_than_loopback_is_known(host, loopback):
    from sim.cli.explore import is_loopback

    assert is_loopback(host) is loopback


def test_explore_warns_when_served_to_the_network(monkeypatch, capsys):
    import subprocess as sp

    from sim.explorer import assets

    monkeypatch.setattr(assets, "fetch", lambda: None)
    monkeypatch.setattr(sp, "call", lambda *a, **k: 0)  # the server itself is not started
    assert main(["explore", "digital_arti", "--host", "0.0.0.0", "--port", str(_free_port())]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "reachable by anyone on the network" in err
    assert main(["explore", "digital_arti", "--port", str(_free_port())]) == 0  # loopback by default: no word
    assert "warning" not in capsys.readouterr().err


def test_the_server_ignores_only_solara_s_cookie_note(monkeypatch, processes):
    """Issue 34: Solara's 14-line SameSite note on the first request is ignored; any other warning is printed."""
    import subprocess as sp

    from sim.cli.explore import SAMESITE_NOTE
    from sim.explorer import assets

    seen = {}
    monkeypatch.setattr(assets, "fetch", lambda: None)
    monkeypatch.setattr(sp, "call", lambda cmd, env, **k: seen.update(env) or 0)  # the server is not started
    monkeypatch.setenv("PYTHONWARNINGS", "default::DeprecationWarning")  # the user's own filters are kept
    assert main(["explore", "digital_arti", "--port", str(_free_port())]) == 0
    assert seen["PYTHONWARNINGS"] == f"default::DeprecationWarning,{SAMESITE_NOTE}"
    probe = ("import warnings\n"
             "warnings.warn_explicit('Cookies with samesite=none require https, but ...', UserWarning, 'starlette.py', 1,"
             " module='solara.server.starlette')\n"
             "warnings.warn_explicit('another note', UserWarning, 'starlette.py', 2, module='solara.server.starlette')\n")
    out = processes.run([sys.executable, "-c", probe], env=os.environ | {"PYTHONWARNINGS": SAMESITE_NOTE},
                        capture_output=True, text=True, check=True)
    assert "samesite" not in out.stderr and "another note" in out.stderr
