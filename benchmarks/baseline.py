"""The code as it was before the engine's rewrite (issue 19), checked out to measure against.

`checkout()` extracts the pinned commit's files (`git archive`) into a folder
of the system's temporary directory, once; a child interpreter then imports
that `sim` instead of the work tree's (`python_for`). Benchmarks compare the
two in the same run, so the ratio holds whatever the machine's load.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "a8f7c74"  # main before issue 19: LabModel of ~600 lines, one Mesa agent per person


def checkout(commit: str = BASELINE) -> Path:
    """The pinned commit's files in a temporary folder (extracted once, reused after)."""
    dest = Path(tempfile.gettempdir()) / f"labsim-baseline-{commit}"
    if (dest / "sim" / "model.py").is_file():
        return dest
    data = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "sim", "scenarios"], check=True,
                          capture_output=True).stdout
    tmp = Path(tempfile.mkdtemp(prefix=f"labsim-baseline-{commit}-"))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="data")
    tmp.rename(dest)
    return dest


def preamble(code: Path) -> str:
    """Python lines that make a child interpreter import `sim` from `code` (and check that it did)."""
    return (f"import sys; sys.path.insert(0, {str(code)!r}); import sim; "
            f"assert sim.__file__.startswith({str(code)!r}), sim.__file__\n")
