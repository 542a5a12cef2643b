from django.urls import path

from alongside.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("setup/", views.setup, name="setup"),
    path("access-log/", views.access_log, name="access_log"),
]
