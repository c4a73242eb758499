"""The documents' examples cannot go stale: README.md and the guides of docs/ against the current labsim.

The documents are `examples.DOCUMENTS` (README.md, docs/install.md, analyst.md, strategist.md, student.md,
ARCHITECTURE.md); a Markdown file elsewhere that marks an example must be one of them.

What is checked, honestly:
- every `labsim` command in a ```bash block, and every `$ labsim` line of an output block, parses with
  today's argument parser (a renamed option or a missing required one fails), and the files under
  `scenarios/` it names exist;
- every output block (a fence without a language) is an example of scripts/examples.py
  (`<!-- example: NAME -->` on the line before it), generated from a real run;
- the cheap examples (seconds) are run again here and must match their block exactly (timings aside);
  a cheap example the documents do not show must be a command of one of their bash blocks;
- the long examples (a compare, a sensitivity analysis: minutes) are not run here: their block must
  show the example's commands, and every outcome label it shows must still be in sim/outcomes.py.
  `python scripts/examples.py --write NAME` regenerates one;
- every python block compiles and the names it imports exist (the blocks are not run).
"""

import ast
import importlib
import re
import shlex
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import examples  # noqa: E402  (scripts/examples.py: the examples and how their blocks are written)

from sim import outcomes  # noqa: E402
from sim.cli import build_parser  # noqa: E402
from sim.errors import LabsimError  # noqa: E402

FENCE = re.compile(r"^(\s*)```(\w*)\s*$")
LABEL = re.compile(r"^([A-Z][^()\[\]=]*\([^()]*\))")  # 'Revenue (EUR)', 'Net result (EUR)' at a line's start


def fenced(document: Path) -> list[tuple[int, str, list[str], str | None]]:
    """(line number, language, lines, example name or None) of every fenced block."""
    lines = document.read_text().splitlines()
    out, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, language = match.groups()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("```"))
        marker = examples.MARKER.match(lines[i - 1]) if i else None
        out.append((i + 1, language, [line[len(indent):] for line in lines[i + 1:end]],
                    marker.group(1) if marker else None))
        i = end + 1
    return out


BLOCKS = [(doc, *block) for doc in examples.DOCUMENTS for block in fenced(doc)]


def commands(lines: list[str], prompt: bool) -> list[str]:
    """The labsim commands of a block: continuation lines joined, comments and shell redirections cut."""
    out, current = [], ""
    for line in lines:
        if prompt:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        current += line.rstrip("\\").strip() + " "
        if line.rstrip().endswith("\\"):
            continue
        words = shlex.split(current, comments=True)
        current = ""
        for cut in (">", "&", "|", ";"):
            if cut in words:
                words = words[: words.index(cut)]
        if words and words[0] == "labsim":
            out.append(shlex.join(words))
    return out


def _parses(command: str) -> None:
    words = shlex.split(command)[1:]
    try:
        build_parser().parse_args(words)
    except SystemExit as exc:  # --version, --help
        assert exc.code == 0, command
    except LabsimError as exc:
        pytest.fail(f"`{command}` no longer parses: {exc.problems[0]}")
    for word in words:
        if word.startswith("scenarios/"):
            assert list(ROOT.glob(word)), f"`{command}`: {word} does not exist"


def _where(doc: Path, line: int) -> str:
    return f"{doc.relative_to(ROOT)}:{line}"


SHOWN = [c for doc, _, language, lines, name in BLOCKS if language == "bash" for c in commands(lines, prompt=False)]
SHOWN += [c for doc, _, language, lines, name in BLOCKS if not language for c in commands(lines, prompt=True)]
SHOWN += [shlex.join(shlex.split(c)) for e in examples.EXAMPLES.values() for c in e.shown() if c.startswith("labsim")]


def test_the_documents_show_commands():
    assert len(SHOWN) > 40 and any(c.startswith("labsim compare") for c in SHOWN)


@pytest.mark.parametrize("command", sorted(set(SHOWN)))
def test_every_command_shown_parses(command):
    _parses(command)


def test_a_stale_command_would_fail():
    with pytest.raises(pytest.fail.Exception, match="--out"):
        _parses("labsim compare carrefour_numerique digital_arti")  # the README once said this, without --out


def test_every_output_block_is_a_generated_example():
    unmarked = [_where(doc, n) for doc, n, language, _, name in BLOCKS if not language and name is None]
    unknown = [_where(doc, n) for doc, n, _, _, name in BLOCKS if name is not None and name not in examples.EXAMPLES]
    assert unmarked == [] and unknown == []
    assert {b.name for doc in examples.DOCUMENTS for b in examples.blocks(doc)} <= set(examples.EXAMPLES)


def test_every_document_with_an_example_is_checked():
    """A block moved into a new page stays generated and tested: the page must be one of DOCUMENTS."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    marked = {p for p in pages if any(examples.MARKER.match(line) for line in p.read_text().splitlines())}
    assert marked <= set(examples.DOCUMENTS), f"add to scripts/examples.py DOCUMENTS: {sorted(marked - set(examples.DOCUMENTS))}"
    assert all(d.exists() for d in examples.DOCUMENTS)


def test_the_readme_shows_one_example_per_reader_and_stays_short():
    """README.md: the two commands, an analyst's, a strategist's and a student's example, at most 300 lines."""
    readme = ROOT / "README.md"
    assert len(readme.read_text().splitlines()) <= 300
    assert {b.name for b in examples.blocks(readme)} >= {"sensitivity", "focus", "ladder"}
    bash = [c for doc, _, language, lines, _ in BLOCKS if doc == readme and language == "bash" for c in lines]
    assert any(line.startswith("make run ") for line in bash) and any(line.startswith("make test ") for line in bash)


def _block_text(name: str) -> list[str]:
    return [b.text for doc in examples.DOCUMENTS for b in examples.blocks(doc) if b.name == name]


CHEAP = [n for n, e in examples.EXAMPLES.items() if e.cheap]
LONG = [n for n, e in examples.EXAMPLES.items() if not e.cheap]


@pytest.mark.parametrize("name", CHEAP)
def test_cheap_examples_match_a_fresh_run(name):
    fresh = examples.masked(examples.run(name))
    shown = _block_text(name)
    for text in shown:
        assert examples.masked(text) == fresh, f"{name}: regenerate with python scripts/examples.py --write {name}"
    if not shown:  # run here, shown as a command of a bash block
        bash = {c for doc, _, language, lines, _ in BLOCKS if language == "bash" for c in commands(lines, False)}
        assert {shlex.join(shlex.split(c)) for c in examples.EXAMPLES[name].commands} <= bash


@pytest.mark.parametrize("name", LONG)
def test_long_examples_show_their_commands_and_current_labels(name):
    example = examples.EXAMPLES[name]
    labels = {outcomes.label(k) for k in outcomes.REGISTRY}
    for text in _block_text(name):
        lines = text.splitlines()
        assert [line[2:] for line in lines if line.startswith("$ ")] == list(example.commands), (
            f"{name}: the block does not show the example's commands; python scripts/examples.py --write {name}")
        stale = [m.group(1).strip() for line in lines if (m := LABEL.match(line)) and m.group(1).strip() not in labels]
        assert stale == [], f"{name}: labels no longer in sim/outcomes.py: {stale}"


def test_the_label_check_would_catch_a_renamed_outcome():
    assert LABEL.match("Net result (EUR)        €9,601 [€4,876 to €15,057]").group(1) == "Net result (EUR)"
    assert outcomes.label("net_result") == "Net result (EUR)"
    assert LABEL.match("  carrefour_numerique  8,317 [8,275 to 8,391]") is None


@pytest.mark.parametrize("where", [_where(doc, n) for doc, n, language, _, _ in BLOCKS if language == "python"])
def test_python_examples_compile_and_import_what_exists(where):
    (lines,) = [lines for doc, n, _, lines, _ in BLOCKS if _where(doc, n) == where]
    tree = ast.parse("\n".join(lines))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), (
                    f"{where}: {node.module} has no {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)


def test_the_example_commands_the_text_runs_are_those_of_its_bash_blocks():
    """`closes`: the validate command the README tells a reader to type is the one run here."""
    bash = {c for doc, _, language, lines, _ in BLOCKS if language == "bash" for c in commands(lines, False)}
    assert "labsim validate --years 2 closes.toml 'scenarios/*.toml'" in bash


def test_files_the_examples_write_are_the_ones_the_text_shows():
    """closes.toml is run as the README shows it (its TOML block), not as a copy that could drift."""
    import tomllib

    shown = [tomllib.loads("\n".join(lines)) for _, _, language, lines, _ in BLOCKS if language == "toml"]
    assert tomllib.loads(examples.EXAMPLES["closes"].files["closes.toml"]) in shown
