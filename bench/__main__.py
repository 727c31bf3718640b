"""``python -m bench etl`` | ``python -m bench pages`` | ``python -m bench all``."""
from __future__ import annotations

import importlib
import importlib.util
import sys

TARGETS = {"etl": "bench.etl", "pages": "bench.pages", "exports": "bench.exports"}


def main(argv: list[str]) -> int:
    chosen = argv or ["etl"]
    if chosen == ["all"]:
        chosen = [t for t in TARGETS if importlib.util.find_spec(TARGETS[t])]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown:
        print(f"usage: python -m bench [{'|'.join(TARGETS)}|all]", file=sys.stderr)
        return 2
    status = 0
    for target in chosen:
        status |= importlib.import_module(TARGETS[target]).main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
