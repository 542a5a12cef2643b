from django.apps import AppConfig


class TalkNowConfig(AppConfig):
    name = "alongside.talknow"
    label = "talknow"
    verbose_name = "Talk now"
