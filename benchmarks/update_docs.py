"""Copy each benchmark's markdown table into the documentation (what `make bench` does last).

The pages ``docs/*.md`` mark each table with ``<!-- bench:NAME -->`` ... ``<!-- /bench:NAME -->``;
the lines between are replaced by ``benchmarks/results/NAME.md`` as the benchmark wrote it, so
the documentation never quotes a number the benchmark did not print. (The README quotes no
table; it links to ``docs/benchmarks.md``.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from _harness import parse_command_line

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs"
PATTERN = re.compile(r"(<!-- bench:(?P<name>[\w-]+) -->\n)(.*?)(<!-- /bench:(?P=name) -->)",
                     re.DOTALL)


def pages() -> list[Path]:
    """The documentation pages that may hold benchmark sections."""
    return sorted(DOCS.glob("*.md"))


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
    parse_command_line(__doc__)
    quoted = set()
    for page in pages():
        original = page.read_text(encoding="utf-8")
        quoted.update(match.group("name") for match in PATTERN.finditer(original))
        text, missing = update(original)
        if text != original:
            page.write_text(text, encoding="utf-8")
        for name in missing:
            print(f"update_docs: {page.name} quotes results/{name}.md, which does not exist yet "
                  "(run its benchmark)", file=sys.stderr)
    for table in sorted(RESULTS.glob("*.md")):
        if table.stem not in quoted:
            print(f"update_docs: results/{table.name} is quoted by no page of docs/ "
                  "(add a bench:NAME section to docs/benchmarks.md)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
