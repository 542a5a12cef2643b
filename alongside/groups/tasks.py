from alongside.groups.debrief_tasks import expire_debrief_guests, send_debrief_outreach  # noqa: F401 (huey finds tasks.py)
