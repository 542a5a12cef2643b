from django.apps import AppConfig


class TalkNowConfig(AppConfig):
    name = "alongside.talknow"
    label = "talknow"
    verbose_name = "Talk now"

    def ready(self) -> None:
        from alongside.conversations.access import register_kind_check  # models are ready only now
        from alongside.conversations.models import ThreadKind  # models are ready only now
        from alongside.talknow.access import thread_open_to  # models are ready only now

        register_kind_check(ThreadKind.TALKNOW, thread_open_to)
