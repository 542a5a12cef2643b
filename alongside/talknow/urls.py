from django.urls import path

from alongside.talknow import views

app_name = "talknow"
urlpatterns = [
    path("talk-now/", views.start, name="start"),
    path("talk-now/offers/", views.offers, name="offers"),
    path("talk-now/offers/<int:pk>/accept/", views.accept, name="accept"),
    path("talk-now/<int:pk>/", views.request_detail, name="request"),
    path("talk-now/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("talk-now/<int:pk>/conversation/", views.conversation, name="conversation"),
    path("talk-now/<int:pk>/end/", views.end, name="end"),
    path("talk-now/<int:pk>/closed/", views.closed, name="closed"),
]
