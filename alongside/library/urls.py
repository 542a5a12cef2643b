from django.urls import path

from alongside.library import views

app_name = "library"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
]
