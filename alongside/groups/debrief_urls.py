from django.urls import path

from alongside.groups import debrief_views as views

app_name = "debriefs"
urlpatterns = [
    path("start/", views.start, name="start"),
    path("records/", views.records, name="records"),
    path("join/<str:token>/", views.join, name="join"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/record/", views.save_record, name="record"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/after/", views.after, name="after"),
]
