from django.urls import path

from alongside.supporters import views

app_name = "supporters"
urlpatterns = [
    path("supporter/profile/", views.profile, name="profile"),
    path("console/supporters/", views.console_list, name="console_list"),
    path("console/supporters/<int:pk>/", views.console_detail, name="console_detail"),
    path("console/supporters/<int:pk>/pause/", views.console_pause, name="console_pause"),
]
