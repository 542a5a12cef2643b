from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "alongside.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from alongside.conversations import signals  # noqa: F401  (connects the receivers)
