from django.urls import path

from alongside.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/join/", views.join, name="join"),
    path("<int:pk>/leave/", views.leave, name="leave"),
    path("<int:pk>/facilitate/", views.facilitate, name="facilitate"),
    path("<int:pk>/members/<int:member>/approve/", views.approve, name="approve"),
    path("<int:pk>/members/<int:member>/decline/", views.decline, name="decline"),
    path("<int:pk>/members/<int:member>/mute/", views.mute, name="mute"),
    path("<int:pk>/members/<int:member>/unmute/", views.unmute, name="unmute"),
    path("<int:pk>/members/<int:member>/remove/", views.remove, name="remove"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/end/", views.end, name="end"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/<slug:kind>/", views.manage_new, name="manage_new"),
    path("manage/<int:pk>/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/facilitators/add/", views.facilitator_add, name="facilitator_add"),
    path("manage/<int:pk>/facilitators/<int:member>/remove/", views.facilitator_remove, name="facilitator_remove"),
    path("manage/<int:pk>/close/", views.manage_close, name="manage_close"),
]
