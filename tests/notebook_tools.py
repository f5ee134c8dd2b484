"""Execute the notebooks and compare what they print with what is committed.

Used by ``tests/integration/test_notebooks.py`` (execute in memory, compare, fail on a
difference) and by ``make notebooks`` (``python -m tests.notebook_tools``: execute and save
in place, so the committed outputs are those of the code on the branch).

The comparison rule (what "the same output" means)
---------------------------------------------------
For every code cell, the text it printed (stdout streams joined, so the way the kernel
chunked them does not matter), its ``text/plain`` results and its error names are compared
with the committed ones:

1. Every number in the text (integers, decimals, exponents, ``inf``, ``nan``) is parsed and
   compared with ``rtol = 1e-6`` and ``atol = 1e-9``: round-off-level values such as a
   duality gap of ``2.3e-13`` against ``0.0e+00`` count as equal, a certified bound of
   ``0.0009`` against ``0.3755`` does not.
2. The text around the numbers must match exactly, after collapsing runs of whitespace
   (a number printed one character wider shifts the padding, not the meaning).
3. Memory addresses (``0x7f...``) are masked.
4. A cell tagged ``timing`` (cell metadata ``"tags": ["timing"]``) prints wall-clock times:
   its text is compared but not its numbers.
5. A cell tagged ``trained`` shows results of float32 JAX training (``otdiv.gan``). Those are
   reproducible on one machine but not across CPUs or XLA versions: a change of instruction
   set alone moves the trajectory (measured for notebook 04 with ``XLA_FLAGS=
   --xla_cpu_max_isa=SSE4_2/AVX/AVX2`` against AVX-512: the tight mass of the gradient-penalty
   critic 82 %, 87 %, 94 %), and over 16 seeds it passes its certificate 4 times. So in such a
   cell neither the numbers nor the outcome words (``True``/``False``, ``PASSED``/``NOT
   PASSED``) are compared, only the text around them (same lines, labels, column headings);
   what holds on every machine is checked by the cell itself, with ``assert`` statements
   (a theorem such as "the certified lower bound is at most the exact W_1", or a band measured
   over seeds and instruction sets), and a ``trained`` cell without an ``assert`` in its
   source is refused. Exact float64 values (closed forms, exact solvers) are compared exactly:
   print them in an untagged cell (notebook 04 prints the exact W_1 and the exact potential's
   certificate before any training).
6. Images are not compared (PNG bytes depend on the matplotlib version and fonts); their
   ``text/plain`` stand-in (``<Figure size ... with N Axes>``) is.
"""

from __future__ import annotations

import math
import os
import re
import sys
from pathlib import Path

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = (
    "01_bakery.ipynb",
    "02_f_divergences.ipynb",
    "03_wasserstein.ipynb",
    "04_critics_and_gans.ipynb",
    "05_cramer_and_bias.ipynb",
    "06_critics_on_images.ipynb",
)
#: Seconds one cell may take: each notebook runs in well under a minute, but two notebooks
#: share two busy cores under pytest-xdist, and JAX compiles on first use.
CELL_TIMEOUT = 240
RTOL, ATOL = 1e-6, 1e-9
#: Words that report a trained critic's outcome; masked like numbers in ``trained`` cells.
_TRAINED_OUTCOME = re.compile(r"\b(?:NOT PASSED|PASSED|True|False)\b")
_ASSERT = re.compile(r"^\s*assert\b", re.MULTILINE)

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:inf|nan)\b")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def execute(path: Path):
    """Run a notebook top to bottom in a fresh ``python3`` kernel; return the executed copy."""
    import nbclient
    import nbformat

    # The kernel spec "python3" must resolve to this environment's interpreter, not to a
    # user-level kernel that JUPYTER_PATH or an older preference would put first.
    os.environ.pop("JUPYTER_PATH", None)
    os.environ["JUPYTER_PREFER_ENV_PATH"] = "1"
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", record_timing=False,
        resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError (with the cell and traceback) on failure
    # An exception while *displaying* a result (e.g. a figure that cannot be drawn) is saved
    # as an error output without failing the cell: refuse it here too.
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise RuntimeError(f"{path.name} cell {number}: {output.get('ename')}: "
                                   f"{output.get('evalue')}")
    return notebook


def cell_text(cell) -> str:
    """The text a code cell showed: stdout, text/plain results, error names."""
    parts, stdout = [], []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout":
                stdout.append(output.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            parts.append(str(output.get("data", {}).get("text/plain", "")))
        elif kind == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "".join(stdout) + "\n".join(parts)


def _split(text: str):
    text = _ADDRESS.sub("0x…", text)
    numbers = [float(token) for token in _NUMBER.findall(text)]
    skeleton = " ".join(_NUMBER.sub("#", text).split())
    return skeleton, numbers


def _close(old: float, new: float, rtol: float) -> bool:
    if math.isnan(old) or math.isnan(new):
        return math.isnan(old) and math.isnan(new)
    if math.isinf(old) or math.isinf(new):
        return old == new
    return abs(old - new) <= ATOL + rtol * max(abs(old), abs(new))


def _first_line_with(text: str, index: int) -> str:
    count = 0
    for line in text.splitlines():
        found = len(_NUMBER.findall(line))
        if count + found > index:
            return line.strip()
        count += found
    return ""


def compare_cell(old_text: str, new_text: str, tags=()) -> str | None:
    """None if the outputs agree under the rule above, else a description of the difference."""
    if "trained" in tags:
        old_text, new_text = (_TRAINED_OUTCOME.sub("<outcome>", text)
                              for text in (old_text, new_text))
    old_skeleton, old_numbers = _split(old_text)
    new_skeleton, new_numbers = _split(new_text)
    if old_skeleton != new_skeleton:
        old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
        for old_line, new_line in zip(old_lines + [""] * len(new_lines),
                                      new_lines + [""] * len(old_lines)):
            if _split(old_line)[0] != _split(new_line)[0]:
                return f"text differs:\n    committed: {old_line!r}\n    now:       {new_line!r}"
        return "text differs"
    if "timing" in tags or "trained" in tags:
        return None
    rtol = RTOL
    for index, (old, new) in enumerate(zip(old_numbers, new_numbers)):
        if not _close(old, new, rtol):
            return (f"number {old!r} is now {new!r} (rtol {rtol:g}, atol {ATOL:g}):\n"
                    f"    committed: {_first_line_with(old_text, index)!r}\n"
                    f"    now:       {_first_line_with(new_text, index)!r}")
    return None


def compare_notebooks(committed, executed) -> list[str]:
    """Differences between the committed and the freshly executed notebook, one per cell."""
    problems = []
    old_cells = [cell for cell in committed.cells if cell.cell_type == "code"]
    new_cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    if len(old_cells) != len(new_cells):
        return [f"{len(old_cells)} code cells committed, {len(new_cells)} executed"]
    cell_numbers = [k for k, cell in enumerate(committed.cells) if cell.cell_type == "code"]
    for number, old, new in zip(cell_numbers, old_cells, new_cells):
        tags = old.get("metadata", {}).get("tags", [])
        if "trained" in tags and not _ASSERT.search(old.source):
            problems.append(f"cell {number}: tagged 'trained' (numbers not compared) but "
                            f"checks nothing: assert what holds on every machine")
        problem = compare_cell(cell_text(old), cell_text(new), tags)
        if problem:
            problems.append(f"cell {number}: {problem}")
    return problems


def refresh(names=NOTEBOOKS) -> None:
    """Execute each notebook and save it with its new outputs (``make notebooks``)."""
    import nbformat

    for name in names:
        path = NOTEBOOK_DIR / name
        print(f"executing {path.name} ...", flush=True)
        committed = nbformat.read(path, as_version=4)
        executed = execute(path)
        changes = compare_notebooks(committed, executed)
        nbformat.write(executed, path)
        print(f"  saved; {len(changes)} cell(s) print something else than before"
              + "".join(f"\n    {change.splitlines()[0]}" for change in changes), flush=True)


if __name__ == "__main__":
    refresh([name if name.endswith(".ipynb") else name + ".ipynb" for name in sys.argv[1:]]
            or NOTEBOOKS)
