from django.urls import path

from alongside.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.index, name="index"),
    path("read/", views.read_all, name="read_all"),
    path("devices/", views.devices, name="devices"),
    path("devices/add/", views.device_add, name="device_add"),
    path("devices/test/", views.device_test, name="device_test"),
    path("devices/<int:pk>/stop/", views.device_stop, name="device_stop"),
]
