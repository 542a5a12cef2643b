from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "alongside.calls"
    label = "calls"
    verbose_name = "Voice calls"

    def ready(self) -> None:
        from alongside.calls import signals  # noqa: F401 - connects the receivers
