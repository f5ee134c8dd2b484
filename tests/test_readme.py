"""The README's Python code blocks run, in order, in one namespace, as a reader would paste them.

A block is marked by an HTML comment on the line just before its fence:
``<!-- readme: slow -->`` runs it only in the slow run (training, 10⁴-point clouds), and
``<!-- readme: skip (why) -->`` never runs it (it needs a Dask scheduler or SLURM that a test
machine does not have; the calls it makes are tested in test_pairwise_dask.py).
"""

import re
from pathlib import Path

import matplotlib
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"(?:<!-- readme: (?P<mark>slow|skip)[^>]*-->\n)?```python\n(?P<code>.*?)```",
                   re.DOTALL)


def readme_blocks():
    """``(line, mark, code)`` for each Python block; ``mark`` is None, "slow" or "skip"."""
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start("code")) + 1, match.group("mark"),
             match.group("code")) for match in FENCE.finditer(text)]


def run_blocks(marks_to_run, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    ran = 0
    for line, mark, code in readme_blocks():
        if mark not in marks_to_run:
            continue
        try:
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
        except Exception as error:  # name the block: the traceback alone says "README.md:N"
            raise AssertionError(f"the README's code block at line {line} failed: "
                                 f"{type(error).__name__}: {error}") from error
        ran += 1
    return ran


def test_readme_has_marked_and_unmarked_blocks():
    marks = [mark for _, mark, _ in readme_blocks()]
    assert marks.count(None) >= 8 and "slow" in marks and "skip" in marks


def test_readme_quick_blocks_run(tmp_path, monkeypatch):
    assert run_blocks({None}, tmp_path, monkeypatch) >= 8


@pytest.mark.slow  # trains critics and a GAN, solves 2·10⁴-point clouds: minutes
def test_readme_every_block_runs(tmp_path, monkeypatch):
    pytest.importorskip("jax")
    run_blocks({None, "slow"}, tmp_path, monkeypatch)


def test_readme_tables_are_the_benchmarks_own_output():
    """Every ``<!-- bench:NAME -->`` section is ``benchmarks/results/NAME.md`` verbatim."""
    import sys
    sys.path.insert(0, str(README.parent / "benchmarks"))
    try:
        from update_readme import PATTERN, RESULTS
    finally:
        sys.path.pop(0)
    sections = list(PATTERN.finditer(README.read_text(encoding="utf-8")))
    assert len(sections) >= 15
    for section in sections:
        name = section.group("name")
        table = (RESULTS / f"{name}.md").read_text(encoding="utf-8").strip()
        assert section.group(3).strip() == table, f"README section {name} is stale: make bench"
