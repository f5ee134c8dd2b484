"""The notebooks run top to bottom in a fresh kernel and print what is committed.

Each notebook is executed with nbclient in the ``python3`` kernel (the interpreter running
the tests, i.e. the venv's), from the notebooks directory, with a per-cell timeout, on an
in-memory copy. Then every code cell's text output is compared with the committed one under
the rule documented in ``tests/notebook_tools.py`` (numbers with rtol 1e-6 / atol 1e-9;
cells tagged ``timing`` compare text only; cells tagged ``trained`` compare text only and
assert what holds on every machine). A difference means the committed outputs are
stale: run ``make notebooks`` and review the diff.
"""

import nbclient  # noqa: F401  (test dependency: missing it must fail, not skip)
import nbformat
import pytest

from ..notebook_tools import NOTEBOOK_DIR, NOTEBOOKS, compare_cell, compare_notebooks, execute


def test_every_notebook_in_the_directory_is_executed_here():
    assert sorted(path.name for path in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


def _stderr_warnings(notebook) -> list[str]:
    """Text of stderr stream outputs that report a warning (e.g. a RuntimeWarning)."""
    return [output.text for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if output.output_type == "stream" and output.name == "stderr"
            and "Warning" in output.text]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_warnings_and_prints_what_is_committed(name):
    committed = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    executed = execute(NOTEBOOK_DIR / name)
    assert _stderr_warnings(executed) == []
    problems = compare_notebooks(committed, executed)
    assert not problems, (f"{name}: committed outputs are stale (run `make notebooks`):\n"
                          + "\n".join(problems))


def test_every_committed_code_cell_was_executed():
    for name in NOTEBOOKS:
        notebook = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        for number, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and cell.source.strip():
                assert cell.get("execution_count") is not None, f"{name} cell {number}"


@pytest.mark.parametrize("old, new, tags, same", [
    ("bound 0.0009\n", "bound 0.3755\n", (), False),              # the stale output of issue 14
    ("gap 2.3e-13\n", "gap 0.0e+00\n", (), True),                  # round-off: atol 1e-9
    ("W_1 = 0.505597\n", "W_1 = 0.5055971\n", (), True),           # rtol 1e-6
    ("W_1 = 0.505597\n", "W_1 = 0.505697\n", (), False),
    ("(> 1: not a lower bound)\n", "(<= 1: a lower bound)\n", (), False),
    ("n  time\n 4  0.0002\n", "n  time\n 4  0.0300\n", ("timing",), True),
    ("n  time\n 4  0.0002\n", "n  size\n 4  0.0300\n", ("timing",), False),
    ("gp 0.5382 93.8% False\n", "gp 0.5348 86.7% True\n", ("trained",), True),  # issue 25
    ("NOT PASSED at tol = 0.05\n", "PASSED at tol = 0.05\n", ("trained",), True),
    ("wgan-gp 0.5382\n", "wgan-sn 0.5382\n", ("trained",), False),  # the text still counts
    ("gp 0.5382 False\n", "gp 0.5382 False\n", (), True),
    ("gp 0.5382 False\n", "gp 0.5382 True\n", (), False),           # untagged: words count
    ("<object at 0x7f00aabbccdd>", "<object at 0x7f11223344ff>", (), True),
    ("value inf\n", "value 1e308\n", (), False),
    ("value   1\n", "value 1\n", (), True),                        # padding only
])
def test_output_comparison_rule(old, new, tags, same):
    assert (compare_cell(old, new, tags) is None) == same


def test_a_trained_cell_must_check_what_it_shows():
    def notebook(source):
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["trained"]})
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="est 0.5\n")]
        return nbformat.v4.new_notebook(cells=[cell])
    unchecked = notebook("print('est', 0.5)")
    assert "checks nothing" in compare_notebooks(unchecked, unchecked)[0]
    checked = notebook("print('est', 0.5)\nassert 0.4 < 0.5 < 0.6")
    assert compare_notebooks(checked, checked) == []
