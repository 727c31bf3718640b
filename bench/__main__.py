"""``python -m bench [etl|pages|exports|proxy|load|all] [--cpu-slowdown N] [--sessions N …] [--rounds N]
[--polars-threads N] [--replicas N …]``; ``python -m bench screenshots`` refreshes docs/screenshots/ and
``python -m bench a11y`` docs/accessibility.md (not measurements, so not part of ``all``);
``python -m bench national --municipalities N`` measures at national scale (bench/national.py);
``python -m bench similarity --initiatives N …`` times 「類似の取組」 on generated initiatives
(bench/similarity.py); ``python -m bench memory [--warehouse PATH] [--sessions N …]`` measures the
server's memory per open session (bench/memory.py)."""
from __future__ import annotations

import argparse
import importlib
import sys

TARGETS = {"etl": "bench.etl", "pages": "bench.pages", "exports": "bench.exports", "proxy": "bench.proxy",
           "load": "bench.load"}
COMMANDS = {"screenshots": "bench.screenshots", "a11y": "bench.a11y"}  # by-hand commands, never in ``all``
# Commands with their own options: ``python -m bench national --municipalities N``,
# ``python -m bench similarity --initiatives N …``, ``python -m bench memory --warehouse PATH``.
OWN_OPTIONS = {"national": "bench.national", "similarity": "bench.similarity", "memory": "bench.memory"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"{', '.join(TARGETS)} or all (default: etl); "
                             "screenshots: refresh docs/screenshots/ from the browser tests; "
                             "a11y: refresh docs/accessibility.md (axe-core audit)")
    parser.add_argument("--cpu-slowdown", type=float, default=1.0, metavar="N",
                        help="pages, proxy: run Chromium's page CPU N times slower (DevTools throttling), to see "
                             "what a slower machine would measure")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 30], metavar="N",
                        help="load: concurrent browser sessions, one run per number (default: 10 30)")
    parser.add_argument("--rounds", type=int, default=2, metavar="N",
                        help="load: rounds of 概要 → 取組一覧 → 評価の推移 → 自治体の変更 per session (default: 2)")
    parser.add_argument("--polars-threads", type=int, default=None, metavar="N",
                        help="load: start the server with POLARS_MAX_THREADS=N")
    parser.add_argument("--replicas", type=int, nargs="+", default=[], metavar="N",
                        help="load: run behind Caddy (deploy/Caddyfile) with N dashboard replicas, one run per "
                             "number (e.g. 1 2); default: one server reached directly")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.targets) - {*TARGETS, *COMMANDS, "all"})
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)} "
                     f"(choose from {', '.join(TARGETS)}, all, {', '.join(COMMANDS)})")
    if args.cpu_slowdown < 1:
        parser.error("--cpu-slowdown must be 1 or more")
    if min(args.sessions) < 1 or args.rounds < 1 or (args.polars_threads is not None and args.polars_threads < 1) \
            or min(args.replicas, default=1) < 1:
        parser.error("--sessions, --rounds, --polars-threads and --replicas must be 1 or more")
    if args.replicas and args.polars_threads is not None:
        parser.error("--polars-threads applies to the direct server only, not with --replicas")
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
        if target in {"pages", "proxy"}:
            status |= module.main(cpu_slowdown=args.cpu_slowdown)
        elif target == "load":
            status |= module.main(tuple(args.sessions), args.rounds, args.polars_threads, tuple(args.replicas))
        else:
            status |= module.main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
