from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "alongside.console"
    label = "console"
    verbose_name = "Coordinator console"
