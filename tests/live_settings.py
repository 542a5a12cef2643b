"""Alongside's settings for ``tests.live.LiveSite``: exactly the real ones, with emails written to files."""

import os

from alongside.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["ALONGSIDE_LIVE_MAIL_DIR"]
