from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "alongside.groups"
    label = "groups"
    verbose_name = "Groups"

    def ready(self) -> None:
        from alongside.conversations.access import (  # models are ready only now
            register_kind_check,
            register_send_check,
            register_thread_header,
        )
        from alongside.conversations.models import ThreadKind  # models are ready only now
        from alongside.groups.access import thread_header, thread_open_to, thread_refusals  # models are ready only now
        from alongside.groups.meetings import feed_events  # models are ready only now
        from alongside.meetings.calendar import register_feed_source  # models are ready only now

        register_kind_check(ThreadKind.GROUP, thread_open_to)
        register_send_check(ThreadKind.GROUP, thread_refusals)
        register_thread_header(ThreadKind.GROUP, thread_header)
        register_feed_source(feed_events)
