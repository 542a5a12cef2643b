from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "alongside.roster"
    label = "roster"
    verbose_name = "Roster"
