"""Every test that starts a process does it through tests/processes.py, so the process is reaped on any exit.

Interrupting `make test` once left a test's `labsim optimize` running for good: its test was stopped before
its own kill. A process started through `Processes` (the `processes` and `module_processes` fixtures) is
killed with its whole process group when the test ends, however it ends.
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
STARTS = {"Popen", "run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"}
OS_STARTS = {"system", "fork", "forkpty", "popen", "posix_spawn", "posix_spawnp", "spawnv", "spawnl", "execv"}


def process_starts(path: Path) -> list[str]:
    """Where a test file starts a process itself (subprocess, os), not through Processes."""
    tree = ast.parse(path.read_text(), filename=str(path))
    modules, names = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("subprocess", "os"):
                    modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "subprocess":
            names |= {a.asname or a.name for a in node.names if a.name in STARTS}
    where, found = path.relative_to(TESTS) if path.is_relative_to(TESTS) else path.name, []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
            wanted = STARTS if modules[func.value.id] == "subprocess" else OS_STARTS
            if func.attr in wanted:
                found.append(f"{where}:{node.lineno} {func.value.id}.{func.attr}")
        elif isinstance(func, ast.Name) and func.id in names:
            found.append(f"{where}:{node.lineno} {func.id}")
    return found


def test_no_test_starts_a_process_but_through_the_reaping_fixture():
    found = [hit for path in sorted(TESTS.rglob("*.py")) if path.name != "processes.py"
             for hit in process_starts(path)]
    assert not found, "start these through the `processes` fixture (tests/processes.py): " + ", ".join(found)


def test_the_check_sees_a_process_started_directly(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("import subprocess as sp\nfrom subprocess import run\nimport os\n"
                      "sp.Popen(['true'])\nrun(['true'])\nos.system('true')\nos.path.join('a')\n")
    assert sorted(hit.split(" ")[1] for hit in process_starts(sample)) == ["os.system", "run", "sp.Popen"]
