"""Command line: ``python -m kwhelpers report|upgrade-check|backend-check|data ...``."""

from __future__ import annotations

import argparse
import sys


def _data_command(args: argparse.Namespace) -> int:
    from kwhelpers import data
    from kwhelpers.datasets import all_recipes

    if args.action in ("list", "verify") and args.names:
        print(f"python -m kwhelpers data {args.action}: takes no dataset names, got "
              f"{' '.join(args.names)}", file=sys.stderr)
        return 2
    if args.action == "list":
        for name in data.names():
            entry = data.describe(name)
            print(f"{name:<24} {entry['file']:<28} {entry['arrays_sha256'][:12]}")
        return 0
    if args.action == "verify":
        failures = 0
        for name in data.names():
            try:
                data.load(name)
                print(f"ok      {name}")
            except (FileNotFoundError, ValueError) as error:
                failures += 1
                print(f"FAILED  {name}: {error}")
        return 1 if failures else 0
    recipes = sorted(all_recipes())
    unknown = [name for name in args.names if name not in recipes]
    if unknown:
        print(f"python -m kwhelpers data build: no recipe for {', '.join(map(repr, unknown))}; "
              f"expected names from {recipes}", file=sys.stderr)
        return 2
    for name in args.names or recipes:
        old = data.read_manifest().get(name, {}).get("arrays_sha256")
        entry = data.build(name)
        change = "unchanged" if old == entry["arrays_sha256"] else f"changed (was {old})"
        print(f"built {name}: arrays_sha256 {entry['arrays_sha256']} {change}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kwhelpers")
    commands = parser.add_subparsers(dest="command", required=True)

    data_parser = commands.add_parser("data", help="list, verify or rebuild the datasets in data/")
    data_parser.add_argument("action", choices=["list", "verify", "build"])
    data_parser.add_argument("names", nargs="*", help="datasets to build (default: all)")

    report_parser = commands.add_parser("report", help="execute notebooks and write an HTML report")
    from kwhelpers.report import add_arguments

    add_arguments(report_parser)

    upgrade_parser = commands.add_parser("upgrade-check",
                                         help="which claims change when Keras or TensorFlow is upgraded")
    from kwhelpers import upgrade

    upgrade.add_arguments(upgrade_parser)

    backend_parser = commands.add_parser("backend-check",
                                         help="the claims on another backend vs its committed ledger")
    from kwhelpers import backends

    backends.add_arguments(backend_parser)

    args = parser.parse_args(argv)
    if args.command == "data":
        return _data_command(args)
    if args.command == "upgrade-check":
        return upgrade.run_from_arguments(args)
    if args.command == "backend-check":
        return backends.run_from_arguments(args)
    from kwhelpers.report import run_from_arguments

    return run_from_arguments(args)


if __name__ == "__main__":
    sys.exit(main())
