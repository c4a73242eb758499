"""Reports and manifests that say what was run: the batch legend reads the settings, a resume keeps its start."""

import json
import re
import time

from sim.cli import main

TINY = ('extends = "digital_arti"\nname = "tiny_closed"\nwarmup_years = 0.0\n')


def test_batch_report_names_points_by_settings_and_resume_keeps_the_start(tmp_path):
    (tmp_path / "tiny.toml").write_text(TINY)
    exp = tmp_path / "e.toml"
    exp.write_text('scenarios = ["tiny.toml"]\nreplications = 2\nyears = 0.1\n[grid]\nmediators = [4, 8]\n')
    out = tmp_path / "b"
    assert main(["batch", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    first = json.loads((out / "manifest.json").read_text())
    time.sleep(1.1)  # the manifest's times are to the second
    assert main(["batch", str(exp), "--out", str(out), "--workers", "1", "--quiet"]) == 0  # a resume: nothing to do
    again = json.loads((out / "manifest.json").read_text())
    assert again["started"] == first["started"]
    assert len(again["resumed"]) == 1 and again["resumed"][0] >= first["started"]
    assert main(["report", str(out)]) == 0
    text = re.sub(r'src="data:image/png;base64,[^"]*"', "", (out / "report.html").read_text())
    assert "mediators=4" in text and "mediators=8" in text and "point 0" not in text
    assert "Visitors (people)" in text and not re.search(r"\de[+-]\d", text)  # no scientific notation
