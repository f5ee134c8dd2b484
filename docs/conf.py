"""Sphinx configuration of otdiv's documentation site (``make docs``).

The pages that mirror other parts of the repository are generated here, at build time,
into ``_generated/`` (ignored by git), so they can never go stale:

- the API reference, one summary table per group of ``otdiv.__all__`` (the groups are the
  comments in ``otdiv/__init__.py``) and one page per entry (autosummary ``:toctree:``,
  into ``_generated/api/``), rendered from the numpydoc docstrings;
- the examples gallery: every ``examples/plot_*.py`` run by sphinx-gallery, its printed
  output and figures shown (into ``_generated/gallery/``);
- the six notebooks, copied as they are committed and rendered by myst-nb **without
  executing them** (their outputs are checked against the code by
  tests/integration/test_notebooks.py).

The benchmark tables are ``docs/benchmarks.md``, a page in git whose ``bench:NAME`` sections
``benchmarks/update_docs.py`` fills with ``benchmarks/results/NAME.md`` verbatim (a test checks
them), so that the prose between the tables stays with them.

The CLI reference is rendered from the argparse parser itself (sphinx-argparse).
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))      # _gallery.py: the gallery's scraper for bare Figures
for _backend in ("PYTORCH", "JAX", "TENSORFLOW", "CUPY"):
    os.environ.setdefault(f"POT_BACKEND_DISABLE_{_backend}", "1")

import otdiv

project = "otdiv"
author = "the otdiv authors"
release = version = otdiv.__version__
copyright = "the otdiv authors, BSD-3-Clause"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinxarg.ext",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True        # one page per entry of every autosummary table
# The examples gallery: every examples/plot_*.py is run at build time and rendered with its
# printed output and figures (sphinx-gallery), into _generated/gallery (ignored by git).
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "_generated/gallery",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "plot_gallery": "True",
    "min_reported_time": 3600,     # no timing table: the pages stay the same between builds
    "show_memory": False,
    "write_computation_times": False,
    # pyplot's figures, then the bare matplotlib Figures otdiv's figure functions return
    "image_scrapers": ("matplotlib", "_gallery.bare_figures"),
}
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "README_changes.md",
                    "_generated/gallery/*.ipynb"]  # the gallery's downloads, not pages
nb_execution_mode = "off"          # render the committed outputs; never re-execute here
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"         # the numpydoc Parameters sections carry the types
html_theme = "alabaster"
html_static_path: list[str] = []
html_theme_options = {"description": "Optimal transport and divergence numerics",
                      "fixed_sidebar": True}
suppress_warnings = ["mystnb.unknown_mime_type"]

GENERATED = HERE / "_generated"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _public_groups() -> list[tuple[str, list[str]]]:
    """``otdiv.__all__`` split into the groups its comments name, in source order."""
    source = (ROOT / "otdiv" / "__init__.py").read_text()
    block = source[source.index("__all__"):]
    block = block[block.index("[") + 1:block.index("]")]
    groups: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("#"):
            groups.append((line.lstrip("# ").strip(), []))
        else:
            names = re.findall(r'"([^"]+)"', line)
            if names and not groups:
                groups.append(("otdiv", []))
            if names:
                groups[-1][1].extend(names)
    listed = {name for _, names in groups for name in names}
    missing = [name for name in otdiv.__all__ if name not in listed]
    if missing:
        groups.append(("other", missing))
    return groups


#: Modules documented beside the top-level API (imported as ``otdiv.<module>``); the GAN's
#: results (also ``otdiv.TrainedCritic``/``otdiv.TrainedGan``, lazily) need the [gan] extra.
API_MODULES = ("otdiv.plotting", "otdiv.datasets", "otdiv.gan.results")


def _api_page() -> str:
    """The reference: one summary table per group, each entry a page of its own (autosummary
    ``:toctree:`` writes the pages into ``_generated/api/`` at build time)."""
    lines = ["API reference", "=============", "",
             "Everything ``import otdiv`` exports, grouped by job, as documented in the "
             "docstrings (numpydoc): one page per function or class, formulas in each "
             "entry's Notes.", "",
             ".. currentmodule:: otdiv", ""]
    for title, names in _public_groups():
        title = title[:1].upper() + title[1:]
        lines += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: api",
                  "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names]
        lines += [""]
    for module in API_MODULES:
        title = f"``{module}``"
        lines += [title, "-" * len(title), "", f".. automodule:: {module}", "   :no-members:",
                  "   :no-index:", "", f".. currentmodule:: {module}", "",
                  ".. autosummary::", "   :toctree: api", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in importlib.import_module(module).__all__]
        lines += ["", ".. currentmodule:: otdiv", ""]
    return "\n".join(lines) + "\n"


def _generate() -> None:
    if GENERATED.exists():
        shutil.rmtree(GENERATED)
    (GENERATED / "notebooks").mkdir(parents=True)
    for notebook in NOTEBOOKS:
        shutil.copy2(notebook, GENERATED / "notebooks" / notebook.name)
    (GENERATED / "api.rst").write_text(_api_page())
    (GENERATED / "notebooks.rst").write_text(
        "Notebooks: the lecture through otdiv\n====================================\n\n"
        "The six notebooks as committed (their outputs are re-checked against the code by "
        "the test suite; ``make notebooks`` refreshes them).\n\n.. toctree::\n   :maxdepth: 1\n\n"
        + "".join(f"   notebooks/{path.stem}\n" for path in NOTEBOOKS))


_generate()


def _docstring_warnings_fail_the_build() -> None:
    """numpydoc reports a malformed docstring (unknown section, bad underline) with a Python
    ``UserWarning``, which ``sphinx -W`` would not see; pass them to Sphinx's logger so
    that they are build warnings, hence errors under ``-W``."""
    import warnings

    from sphinx.util import logging as sphinx_logging

    logger = sphinx_logging.getLogger("otdiv.docs")
    show = warnings.showwarning

    def as_sphinx_warning(message, category, filename, lineno, file=None, line=None):
        if "numpydoc" in str(filename) or "docstring" in str(message):
            logger.warning("%s: %s", category.__name__, message)
        else:
            show(message, category, filename, lineno, file, line)

    warnings.showwarning = as_sphinx_warning
    warnings.filterwarnings("always", category=UserWarning, module="numpydoc")


_docstring_warnings_fail_the_build()
