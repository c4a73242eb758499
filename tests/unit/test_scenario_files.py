"""Scenario files, loaded and checked without a run: presets, inheritance, interventions, the reference, bad input."""

import pytest

from sim.config.reference import markdown
from sim.config.scenario import PRESET_DIR, load_scenario, preset_names
from sim.config.schema import PARAMS
from sim.errors import LabsimError

PRESETS = ["carrefour_numerique", "digital_arti", "le_cube", "friche", "institution_culturelle"]
CASE_STUDY_MAP = {  # where the case study puts each model: (public_market, open_closed) on either side of 0.5
    "carrefour_numerique": ("public", "open"),
    "digital_arti": ("market", "closed"),
    "friche": ("public", "open"),
    "institution_culturelle": ("public", "closed"),
}


def test_five_presets_ship_and_validate():
    assert set(PRESETS) <= set(preset_names())
    for name in PRESETS:
        sc = load_scenario(name)
        assert sc.description
        assert set(sc.stated_map) == {"public_market", "open_closed"}


@pytest.mark.parametrize(("name", "place"), CASE_STUDY_MAP.items())
def test_presets_sit_where_the_case_study_puts_them(name, place):
    pos = load_scenario(name).map_position
    assert (pos["public_market"] < 0.5) == (place[0] == "public")
    assert (pos["open_closed"] < 0.5) == (place[1] == "open")


def test_derived_map_orders_the_labs():
    from sim.config.scenario import derived_map

    o, c = (derived_map(load_scenario(n).settings) for n in ("carrefour_numerique", "digital_arti"))
    assert o["open_closed"] < c["open_closed"] and o["public_market"] < c["public_market"]


def test_preset_values_are_commented_with_a_source():
    for path in PRESET_DIR.glob("*.toml"):
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#") and not line.startswith(("name", "description")):
                assert "#" in line, f"{path.name}: '{line}' has no source comment"


def test_extends_a_preset_by_name_and_overrides(tmp_path):
    f = tmp_path / "child.toml"
    f.write_text('extends = "carrefour_numerique"\nname = "child"\nmediators = 4\n')
    sc = load_scenario(f)
    base = load_scenario("carrefour_numerique")
    assert sc.name == "child" and sc.settings.mediators == 4
    assert sc.settings.workshops_per_year == base.settings.workshops_per_year
    assert sc.map_position == base.map_position  # the stated map is inherited


def test_extends_a_path_relative_to_the_file(tmp_path):
    (tmp_path / "base.toml").write_text("mediators = 3\nevents_per_year = 5.0\n")
    (tmp_path / "child.toml").write_text('extends = "base.toml"\nevents_per_year = 7.0\n')
    sc = load_scenario(tmp_path / "child.toml")
    assert (sc.settings.mediators, sc.settings.events_per_year) == (3, 7.0)


def test_extends_cycle_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(LabsimError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_extends_unknown_preset_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "carrefour"\n')
    with pytest.raises(LabsimError, match=r"a\.toml: key 'extends'.*no such scenario file or preset"):
        load_scenario(tmp_path / "a.toml")


def _intervention_file(tmp_path, at=365):
    f = tmp_path / "iv.toml"
    f.write_text(
        f'extends = "carrefour_numerique"\n[[interventions]]\nat = {at}\naccess = "appointment"\nmediators = 5\n'
    )
    return f


def test_intervention_before_the_start_is_refused(tmp_path):
    with pytest.raises(LabsimError, match=r"interventions\[0\]: key 'at'"):
        load_scenario(_intervention_file(tmp_path, at=0))


def test_contradictory_settings_are_refused(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text("mediators = 0\nworkshops_per_year = 10.0\n")
    with pytest.raises(LabsimError, match="workshops need a mediator"):
        load_scenario(f)


def test_contradiction_created_by_an_intervention_is_refused(tmp_path):
    f = tmp_path / "c.toml"
    f.write_text("workshops_per_year = 10.0\n[[interventions]]\nat = 10\nmediators = 0\n")
    with pytest.raises(LabsimError, match=r"interventions\[0\].*workshops need a mediator"):
        load_scenario(f)


def test_docs_scenarios_md_matches_the_code():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"
    assert doc.read_text() == markdown(), "regenerate: labsim scenarios --describe --markdown > docs/scenarios.md"


def test_every_key_has_unit_doc_and_source():
    for p in PARAMS:
        assert p.unit and p.doc and p.source, p.name
        assert p.choices or p.kind is bool or p.low is not None, p.name


@pytest.mark.parametrize(("key", "value", "code"), [("name", "a\\rb", "U+000D"), ("name", "a\\u001b[31mred", "U+001B"),
                                                     ("name", "tab\\there", "U+0009"),
                                                     ("description", "bell\\u0007", "U+0007")])
def test_control_characters_in_names_are_refused_in_one_line(tmp_path, key, value, code):
    f = tmp_path / "lab.toml"
    f.write_text(f'extends = "carrefour_numerique"\n{key} = "{value}"\n')
    with pytest.raises(LabsimError) as err:
        load_scenario(f)
    assert len(err.value.problems) == 1 and f"key '{key}'" in str(err.value) and code in str(err.value)


def test_a_description_may_hold_lines_and_tabs(tmp_path):
    f = tmp_path / "lab.toml"
    f.write_text('extends = "carrefour_numerique"\ndescription = """two\nlines\tand a tab"""\n')
    assert load_scenario(f).description == "two\nlines\tand a tab"


def test_a_set_with_a_line_break_is_refused_not_half_read():
    from sim.config.scenario import parse_settings

    with pytest.raises(LabsimError) as err:
        parse_settings(["mediators=3\nprice_per_visit=2"])
    assert "U+000A" in str(err.value) and "\n" not in str(err.value) and "one KEY=VALUE per --set" in str(err.value)


def test_the_odd_parameter_table_matches_the_schema():
    # docs/ODD.md section 8 lists every key with its default and source; a changed default must show there
    def show(v):
        return str(v).lower() if isinstance(v, bool) else f'"{v}"' if isinstance(v, str) else (
            f"{v:g}" if isinstance(v, float) else str(v))

    odd = (PRESET_DIR.parent / "docs" / "ODD.md").read_text()
    rows = [line for line in odd.splitlines() if line.startswith("| ") and "| `" in line[:12]]
    rows = rows[-len(PARAMS):]
    expected = [f"| {i} | `{p.name}` | {p.group} | {p.unit} | {show(p.default)} | {p.source} |" for i, p in enumerate(PARAMS, 1)]
    assert rows == expected, "regenerate docs/ODD.md section 8 with the command it shows"
    assert f"({len(PARAMS)} keys in" in odd
