"""Run every ``benchmarks/bench_*.py`` script in turn (what ``make bench`` does)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    known = {script.stem for script in HERE.glob("bench_*.py")}
    selected = set(argv)
    if selected - known:
        print(f"run_all.py: unknown benchmark(s) {sorted(selected - known)}; choose from "
              f"{sorted(known)}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    for script in sorted(HERE.glob("bench_*.py")):
        if selected and script.stem not in selected:
            continue
        print(f"== {script.name}", flush=True)
        # each script parses its own command line: give it none (its defaults), not ours
        sys.argv = [str(script)]
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as stop:            # a script ending in sys.exit(main())
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
                return 1
            if stop.code:
                return stop.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
