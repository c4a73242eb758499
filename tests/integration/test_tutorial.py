"""The students' tutorial notebook runs from top to bottom."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the tutorial's test needs the [dev] extra (nbformat, nbclient)")
NotebookClient = pytest.importorskip("nbclient", reason="the tutorial's test needs the [dev] extra").NotebookClient
pytest.importorskip("ipykernel", reason="the tutorial runs on a python3 kernel (ipykernel, in the [dev] extra)")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "tutorial.ipynb"


def test_tutorial_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the network pictures are drawn"
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + o.get("text", "") for o in outputs)
    assert "contributors" in text and "paired difference" in text
