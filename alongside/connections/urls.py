from django.urls import path

from alongside.connections import views

app_name = "connections"
urlpatterns = [
    path("support/ongoing/new/", views.request_new, name="request_new"),
    path("support/ongoing/<int:pk>/", views.request_detail, name="request_detail"),
    path("support/ongoing/<int:pk>/pick/", views.request_pick, name="request_pick"),
    path("support/ongoing/<int:pk>/more/", views.request_more, name="request_more"),
    path("support/ongoing/<int:pk>/coordinators/", views.request_coordinators, name="request_coordinators"),
    path("support/ongoing/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("supporter/offers/", views.offers, name="offers"),
    path("supporter/offers/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("supporter/offers/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("connections/<int:pk>/", views.connection_detail, name="connection_detail"),
    path("connections/<int:pk>/close/", views.connection_close, name="connection_close"),
    path("connections/<int:pk>/change/", views.connection_change, name="connection_change"),
    path("connections/<int:pk>/block/", views.connection_block, name="connection_block"),
    path("connections/<int:pk>/review/", views.connection_review, name="connection_review"),
    path("connections/<int:pk>/feedback/", views.connection_feedback, name="connection_feedback"),
]
