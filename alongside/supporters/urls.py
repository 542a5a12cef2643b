from django.urls import path

from alongside.supporters import application_views, views

app_name = "supporters"
urlpatterns = [
    path("supporter/profile/", views.profile, name="profile"),
    path("supporter/apply/", application_views.apply, name="apply"),
    path("supporter/apply/withdraw/", application_views.withdraw, name="withdraw"),
    path("supporter/training/", application_views.my_training, name="training"),
    path("referee/<str:token>/", application_views.reference, name="reference"),
]
