from django.apps import AppConfig


class PhonelineConfig(AppConfig):
    name = "alongside.phoneline"
    label = "phoneline"
    verbose_name = "Phone line and call-backs"
