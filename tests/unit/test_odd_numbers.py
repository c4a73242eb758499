"""The ODD's stated parameter values come from the schema and the presets (issue 30: stale values were printed).

Every "Parameters:" paragraph of docs/ODD.md section 7 states values as
"`key` = value"; each must be the key's default in `sim/config/schema.py` or
the value some preset in scenarios/ sets, so a recalibration that forgets the
ODD fails here. (Section 8's table is checked against the schema in
tests/unit/test_scenario_files.py.)
"""

import re
import tomllib

from sim.config.scenario import PRESET_DIR
from sim.config.schema import PARAMS

ODD = PRESET_DIR.parent / "docs" / "ODD.md"
STATED = re.compile(r"`(\w+)`\s*=\s*(-?\d[\d,]*(?:\.\d+)?)")


def allowed() -> dict[str, set[float]]:
    values = {p.name: {p.default} for p in PARAMS}
    for path in PRESET_DIR.glob("*.toml"):
        for key, value in tomllib.loads(path.read_text()).items():
            if key in values:
                values[key].add(value)
    return {k: {float(v) for v in vs if isinstance(v, int | float) and not isinstance(v, bool)} for k, vs in values.items()}


def parameter_paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.lstrip().startswith("Parameters:")]


def test_the_odd_has_parameter_paragraphs():
    assert len(parameter_paragraphs(ODD.read_text())) >= 5


def test_every_value_a_parameter_paragraph_states_is_a_default_or_a_presets():
    values = allowed()
    wrong = []
    for paragraph in parameter_paragraphs(ODD.read_text()):
        for key, number in STATED.findall(paragraph):
            if key in values and not any(abs(float(number.replace(",", "")) - v) < 1e-9 for v in values[key]):
                wrong.append(f"{key} = {number} (schema or presets: {sorted(values[key])})")
    assert not wrong, "docs/ODD.md states values no preset uses: " + "; ".join(wrong)


def test_the_check_catches_a_stale_value():
    stale = "Parameters: `partners_per_mediator` = 4 (assumption)."
    values = allowed()
    (key, number), = STATED.findall(parameter_paragraphs(stale)[0])
    assert float(number) not in values[key]
