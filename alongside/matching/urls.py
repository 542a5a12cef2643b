from django.urls import path

from alongside.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.waitlist, name="waitlist"),
    path("batch/", views.batch_preview, name="batch_preview"),
    path("batch/<slug:key>/", views.batch_detail, name="batch_detail"),
    path("batch/<slug:key>/apply/", views.batch_apply, name="batch_apply"),
    path("requests/<int:pk>/", views.request_match, name="request_match"),
    path("weights/", views.weights, name="weights"),
]
