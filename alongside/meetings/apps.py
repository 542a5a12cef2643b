from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "alongside.meetings"
    label = "meetings"
    verbose_name = "Sessions (scheduled meetings)"
