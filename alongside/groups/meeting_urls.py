"""A group's meetings and its video room, mounted under groups/ beside the group pages."""

from django.urls import path

from alongside.groups import meeting_views

app_name = "group_meetings"
urlpatterns = [
    path("<int:pk>/meetings/", meeting_views.meeting_list, name="meeting_list"),
    path("<int:pk>/meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("<int:pk>/meetings/<int:meeting_pk>/cancel/", meeting_views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/meetings/<int:meeting_pk>/meeting.ics", meeting_views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/room/", meeting_views.room, name="room"),
]
