from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "alongside.service"
    label = "service"
    verbose_name = "Service settings"

    def ready(self) -> None:
        from alongside.service import signals  # noqa: F401  (receivers connect once the apps are loaded)
