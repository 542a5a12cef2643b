"""The `alongside` console script: Django's management commands, plus `alongside match ...`.

alongside serve              # uvicorn + in-process task worker (development default)
alongside migrate            # any manage.py command works
alongside match solve F.json # the matching engine on a JSON instance, no database needed
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["match"]:
        # Imported here so the other commands skip the engine (numpy) and `match` skips Django.
        from alongside.matching.cli import main as match_main

        return match_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    from django.core.management import execute_from_command_line  # after the settings module is chosen

    execute_from_command_line(["alongside", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
