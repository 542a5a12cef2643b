from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "alongside.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from alongside.audit import signals  # noqa: F401  (receivers connect once the apps are loaded)
