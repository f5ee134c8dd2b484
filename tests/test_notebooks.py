"""The notebooks in notebooks/ run top to bottom in a fresh kernel, without errors or warnings.

Each notebook is executed with nbclient in the ``python3`` kernel (the interpreter running
the tests, i.e. the venv's), from the notebooks directory, with a per-cell timeout. The
notebooks use the inline (Agg) matplotlib backend, so no display is needed. The committed
files are not modified: execution happens on an in-memory copy.
"""

from pathlib import Path

import nbclient  # test dependencies: missing them must fail, not skip
import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = (
    "01_bakery.ipynb",
    "02_f_divergences.ipynb",
    "03_wasserstein.ipynb",
    "04_critics_and_gans.ipynb",
    "05_cramer_and_bias.ipynb",
)
#: Seconds one cell may take: each notebook runs in well under a minute, but two notebooks
#: share two busy cores under pytest-xdist, and JAX compiles on first use.
CELL_TIMEOUT = 240


def test_every_notebook_in_the_directory_is_executed_here():
    assert sorted(path.name for path in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


def _stderr_warnings(notebook) -> list[str]:
    """Text of stderr stream outputs that report a warning (e.g. a RuntimeWarning)."""
    return [output.text for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.output_type == "stream" and output.name == "stderr"
            and "Warning" in output.text]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_without_errors_or_warnings(name, monkeypatch):
    # The kernel spec "python3" must resolve to this environment's interpreter, not to a
    # user-level kernel that JUPYTER_PATH or an older preference would put first.
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError (with the cell and traceback) on failure
    assert _stderr_warnings(notebook) == []
