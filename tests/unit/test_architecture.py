"""The house's shape: imports run one way, the model stays thin, names are Enums, the settings are typed."""

import ast
import dataclasses
import functools
import importlib
import inspect
from pathlib import Path

import pytest

import sim.config.schema as schema
from sim.config.settings import Settings
from sim.kinds import Access, Affiliation, Channel, PartnershipStatus, Role, SessionKind

SIM = Path(__file__).resolve().parents[2] / "sim"


def _module(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Module -> the sim modules it imports anywhere in its source (in functions and TYPE_CHECKING blocks too)."""
    files = {_module(f): f for f in SIM.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in files}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1],
                                     *([node.module] if node.module else [])])
                subs = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in files}
                graph[name] |= subs  # `from sim.model import ladder` imports the module sim.model.ladder
                if base in files and len(subs) < len(node.names):
                    graph[name].add(base)  # `from sim import __version__` imports the package itself
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_of_sim_has_no_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


COMPONENTS = ("population", "network", "calendar", "awareness", "careers", "arrivals", "sessions", "programme", "staff",
              "market", "partnerships", "blog", "budget", "tally", "dormancy", "seats", "ladder", "agents", "shared")


@pytest.mark.parametrize("component", COMPONENTS)
def test_components_see_the_lab_through_its_interface_not_the_model(component):
    assert "sim.model.model" not in import_graph()[f"sim.model.{component}"]


def test_the_model_is_wiring_and_a_timeline():
    lines = (SIM / "model" / "model.py").read_text().splitlines()
    assert len(lines) < 300  # the wiring, the day and its visits, the changes of period, the guarded run methods
    tree = ast.parse((SIM / "model" / "model.py").read_text())
    model = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "LabModel")
    assert [ast.unparse(b) for b in model.bases] == ["mesa.Model"]  # its run methods are its own, not a base's
    assert {f.name for f in model.body if isinstance(f, ast.FunctionDef)} <= {
        "__init__", "_found", "day", "visits", "apply", "start_measuring", "run_years", "run_until", "run_for",
        "_check_until"}


MAX_PARAMETERS = 6  # more is the sign of a missing seam: components share `sim.model.shared.Shared` instead


def test_no_class_of_the_model_takes_more_than_six_parameters():
    # every class defined in sim/model/ (dataclasses' generated constructors included), `self` not counted
    crowded = {}
    for path in sorted((SIM / "model").glob("*.py")):
        module = importlib.import_module(_module(path))
        for name, cls in vars(module).items():
            if inspect.isclass(cls) and cls.__module__ == module.__name__ and "__init__" in vars(cls):
                parameters = list(inspect.signature(cls.__init__).parameters)[1:]
                if len(parameters) > MAX_PARAMETERS:
                    crowded[f"{module.__name__}.{name}"] = parameters
    assert crowded == {}


def test_the_ladders_transitions_live_in_careers():
    # every change of rung goes through People.set_role, called from sim.model.careers only
    callers = {_module(f) for f in SIM.rglob("*.py") if ".set_role(" in f.read_text()}
    assert callers == {"sim.model.careers"}


def test_the_typed_settings_are_the_schemas():
    """PARAMS is the one declaration: Settings has its names, in its order, with its types and defaults."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    assert list(fields) == [p.name for p in schema.PARAMS]
    for p in schema.PARAMS:
        assert fields[p.name].default == p.default and fields[p.name].type is p.kind
        assert type(p.default) is p.kind, f"{p.name}: default {p.default!r} is not a {p.kind.__name__}"
    assert not (SIM / "config" / "settings.py").read_text().count(": float ="), "no generated field list"
    assert Settings.__slots__ and not hasattr(Settings(), "__dict__"), "slots: the hot loops read settings quickly"


def test_the_settings_are_frozen_and_complete():
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.mediators = 3
    assert dataclasses.replace(s, mediators=3).mediators == 3


def test_kinds_are_enums_with_codes_and_ranks():
    assert [r.label for r in Role][:3] == ["visitor", "contributor", "partner"]
    assert Role.PARTNER.rank > Role.CONTRIBUTOR.rank > Role.VISITOR.rank == Role.ARTIST.rank
    assert Role.CONTRIBUTOR.is_regular and Role.PARTNER.is_regular and not Role.ARTIST.is_regular
    assert Access("appointment") is Access.APPOINTMENT and Access.OPEN == "open"  # settings hold the plain string
    assert Affiliation.COMPANY.is_organisation and not Affiliation.INDIVIDUAL.is_organisation
    assert Channel.WORD_OF_MOUTH.label == "word_of_mouth" and SessionKind("project") is SessionKind.PROJECT
    assert PartnershipStatus.ACTIVE > PartnershipStatus.PENDING > PartnershipStatus.PROSPECT


# -- analysis takes tables and returns tables: no page, no figure, no drawing library (issue 32) --------------------
ABOVE_ANALYSIS = ("sim.pages", "sim.figures", "sim.cli", "sim.explorer", "matplotlib", "jinja2", "markupsafe")


def imported_names(path: Path) -> set[str]:
    """Every module a file imports (any package, in functions and TYPE_CHECKING blocks too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


@pytest.mark.parametrize("path", sorted((SIM / "analysis").glob("*.py")) + sorted((SIM / "logs").glob("*.py")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_analysis_and_logs_import_neither_pages_nor_figures_nor_matplotlib(path):
    bad = {n for n in imported_names(path) if n.startswith(ABOVE_ANALYSIS)}
    assert not bad, f"{path.name} imports {sorted(bad)}: pages and figures sit above analysis"
