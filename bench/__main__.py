"""`make bench`: run every benchmark module in this package; each prints JSON lines."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main(names: list[str]) -> int:
    modules = names or sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "main", None)
        if callable(run):
            run()
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
