"""Copy each benchmark's markdown table into README.md (what `make bench` does last).

README.md marks each table with ``<!-- bench:NAME -->`` ... ``<!-- /bench:NAME -->``; the
lines between are replaced by ``benchmarks/results/NAME.md`` as the benchmark wrote it, so
the README never quotes a number the benchmark did not print.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PATTERN = re.compile(r"(<!-- bench:(?P<name>[\w-]+) -->\n)(.*?)(<!-- /bench:(?P=name) -->)",
                     re.DOTALL)


def update(text: str) -> tuple[str, list[str]]:
    missing = []

    def replace(match):
        name = match.group("name")
        table = RESULTS / f"{name}.md"
        if not table.exists():
            missing.append(name)
            return match.group(0)
        return match.group(1) + table.read_text().strip() + "\n" + match.group(4)

    return PATTERN.sub(replace, text), missing


def main() -> int:
    readme = ROOT / "README.md"
    text, missing = update(readme.read_text())
    readme.write_text(text)
    for name in missing:
        print(f"update_readme: no results/{name}.md yet (run its benchmark)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
