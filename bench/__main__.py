"""``python -m bench [etl|pages|exports|proxy|all] [--cpu-slowdown N]``; ``python -m bench screenshots``
refreshes docs/screenshots/ (not a measurement, so not part of ``all``);
``python -m bench national --municipalities N`` measures at national scale (bench/national.py)."""
from __future__ import annotations

import argparse
import importlib
import sys

TARGETS = {"etl": "bench.etl", "pages": "bench.pages", "exports": "bench.exports", "proxy": "bench.proxy"}
COMMANDS = {"screenshots": "bench.screenshots"}  # by-hand commands, never in ``all``
# Commands with their own options: ``python -m bench national --municipalities N``.
OWN_OPTIONS = {"national": "bench.national"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"{', '.join(TARGETS)} or all (default: etl); "
                             "screenshots: refresh docs/screenshots/ from the browser tests")
    parser.add_argument("--cpu-slowdown", type=float, default=1.0, metavar="N",
                        help="pages, proxy: run Chromium's page CPU N times slower (DevTools throttling), to see "
                             "what a slower machine would measure")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - {*TARGETS, *COMMANDS, "all"})
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)} "
                     f"(choose from {', '.join(TARGETS)}, all, {', '.join(COMMANDS)})")
    if args.cpu_slowdown < 1:
        parser.error("--cpu-slowdown must be 1 or more")
    if not args.targets:
        args.targets = ["etl"]
    elif "all" in args.targets:
        args.targets = list(TARGETS) + [t for t in args.targets if t in COMMANDS]
    return args


def main(argv: list[str]) -> int:
    if argv and argv[0] in OWN_OPTIONS:
        return importlib.import_module(OWN_OPTIONS[argv[0]]).main(argv[1:])
    args = parse_args(argv)
    status = 0
    for target in args.targets:
        module = importlib.import_module({**TARGETS, **COMMANDS}[target])
        status |= module.main(cpu_slowdown=args.cpu_slowdown) if target in {"pages", "proxy"} else module.main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
