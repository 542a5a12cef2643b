from django.urls import path

from alongside.calls import views

app_name = "calls"
urlpatterns = [
    path("<int:thread_id>/", views.call_page, name="call"),
]
