"""Alongside's settings for ``tests.live.LiveSite``: exactly the real ones, with emails written to files."""

import os

from alongside.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["ALONGSIDE_LIVE_MAIL_DIR"]

# Devices may subscribe through the tests' own push service on 127.0.0.1 (alongside/notifications/tests/pushservice.py),
# as in the in-process tests: only notifications.devices reads this at run time; everything it set up at import is
# the real thing.
TESTING = True
