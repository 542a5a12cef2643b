from django.urls import path

from alongside.conversations import views

app_name = "conversations"

urlpatterns = [
    path("threads/<int:pk>/", views.thread, name="thread"),
    path("threads/<int:pk>/referral/", views.send_referral, name="send_referral"),
    path("connections/<int:pk>/chat/", views.connection_thread, name="connection_thread"),
]
