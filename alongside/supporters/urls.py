from django.urls import path

from alongside.supporters import views

app_name = "supporters"
urlpatterns = [
    path("supporter/profile/", views.profile, name="profile"),
]
