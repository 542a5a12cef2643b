"""Talk now's timers: an eta task for each step when it is due (``services.step``, re-exported here), and a periodic sweep every minute that takes any step
the eta task missed (a worker restart loses nothing) and offers waiting requests to supporters who became free.
Both are idempotent: each step is claimed with a conditional update."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from alongside.talknow.services import enforce_timers, step

__all__ = ["step", "sweep"]


@db_periodic_task(crontab(minute="*"))
def sweep() -> dict[str, int]:
    """Every minute: every timer step that is due, and offers to supporters who have become free."""
    return enforce_timers()
