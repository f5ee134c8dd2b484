"""The documentation site builds with warnings as errors (a broken docstring fails here).

Builds the whole site (API reference from the numpydoc docstrings, CLI reference, the
notebooks as committed, benchmark tables) into a temporary folder, as ``make docs`` does.
About 15-30 s on two cores.
"""

import subprocess
import sys
from pathlib import Path

import sphinx  # noqa: F401  (test dependency: missing it must fail, not skip)

ROOT = Path(__file__).resolve().parent.parent


def test_documentation_builds_without_warnings(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert completed.returncode == 0, completed.stderr[-5000:]
    html = tmp_path / "html"
    api = (html / "_generated" / "api.html").read_text()
    assert "verify_critic" in api and "Parameters" in api
    assert "autosummary" in api  # the summary tables at the head of each group
    for page in ("install", "getting_started", "guide", "conventions", "benchmarks",
                 "changelog", "citing"):
        assert (html / f"{page}.html").exists(), page
    conventions = (html / "conventions.html").read_text()
    for library in ("scipy", "POT", "ott-jax", "geomloss", "dcor"):
        assert library in conventions, library
    assert "--runs" in (html / "cli.html").read_text()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert (html / "_generated" / "notebooks" / f"{notebook.stem}.html").exists()
