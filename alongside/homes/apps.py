from django.apps import AppConfig


class HomesConfig(AppConfig):
    name = "alongside.homes"
    label = "homes"
    verbose_name = "Homes"
