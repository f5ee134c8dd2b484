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

README = Path(__file__).resolve().parents[2] / "README.md"
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


def _update_docs():
    import sys
    sys.path.insert(0, str(README.parent / "benchmarks"))
    try:
        import update_docs
    finally:
        sys.path.pop(0)
    return update_docs


def test_benchmark_tables_are_the_benchmarks_own_output():
    """Every ``<!-- bench:NAME -->`` section of the docs pages is
    ``benchmarks/results/NAME.md`` verbatim, and every results table is quoted somewhere."""
    update_docs = _update_docs()
    quoted = set()
    for page in update_docs.pages():
        for section in update_docs.PATTERN.finditer(page.read_text(encoding="utf-8")):
            name = section.group("name")
            quoted.add(name)
            table = (update_docs.RESULTS / f"{name}.md").read_text(encoding="utf-8").strip()
            assert section.group(3).strip() == table, (
                f"{page.name}: section {name} is stale: run benchmarks/update_docs.py")
    tables = {path.stem for path in update_docs.RESULTS.glob("*.md")}
    assert tables <= quoted, f"results quoted by no docs page: {sorted(tables - quoted)}"


def test_readme_is_a_front_door():
    """Short, no benchmark tables (they live in docs/benchmarks.md), nothing that needs
    this repository's history to make sense, and no install command for an unpublished
    package."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    assert "<!-- bench:" not in text
    for phrase in ("REFERENCE.md", "closing notes", "issue 17", "What changed",
                   "load average", 'pip install "otdiv'):
        assert phrase not in text, phrase
    assert "docs/benchmarks.md" in text and "docs/conventions.md" in text
