from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "alongside.supporters"
    label = "supporters"
    verbose_name = "Supporters"
