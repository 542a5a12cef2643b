"""A person's data rights, mounted under /profile/ (alongside/urls.py)."""

from django.urls import path

from alongside.safety import privacy_views

app_name = "privacy"
urlpatterns = [
    path("export/", privacy_views.export, name="export"),
    path("export/page/", privacy_views.export_page, name="export_page"),
    path("delete/", privacy_views.delete, name="delete"),
]
