"""Telling people about messages they have not seen. Idempotent; the email is claimed with a conditional UPDATE."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from alongside.conversations.notices import tell_about_waiting_message


@db_task(retries=3, retry_delay=30)
def message_waiting(thread_id: int, user_id: int) -> bool:
    """Someone without an open socket on the thread has a new message: tell them, without the text or a name.

    Returns whether an email was sent (at most one per thread per person every 15 minutes).
    """
    return tell_about_waiting_message(thread_id=thread_id, user_id=user_id)
