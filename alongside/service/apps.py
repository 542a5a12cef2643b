from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "alongside.service"
    label = "service"
    verbose_name = "Service settings"
