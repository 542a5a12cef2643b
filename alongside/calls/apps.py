from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "alongside.calls"
    label = "calls"
    verbose_name = "Voice calls"
