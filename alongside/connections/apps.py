from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "alongside.connections"
    label = "connections"
    verbose_name = "Connections"
