"""Every test in ``tests/integration/`` carries the ``integration`` marker.

These run the project as a user meets it: the notebooks (executed and compared with their
committed outputs), ``otdiv demo``, the documentation build and the README's code blocks.
``make test`` runs them like every other test; ``make test-fast`` (``-m "not integration"``)
leaves them out for a quick run. The marker follows the folder, so a new file here has it.
"""

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)
