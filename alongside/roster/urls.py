"""The supporter's shifts, swap and cover, and the 30-second contact record."""

from django.urls import path

from alongside.roster import views

app_name = "roster"
urlpatterns = [
    path("shifts/", views.my_shifts, name="my_shifts"),
    path("shifts/busy/", views.busy, name="busy"),
    path("shifts/places/<int:pk>/offer/", views.offer, name="offer"),
    path("shifts/places/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("shifts/cover/", views.cover, name="cover"),
    path("shifts/cover/<int:pk>/take/", views.take, name="take"),
    path("shifts/contacts/", views.contacts_to_file, name="contacts_to_file"),
    path("shifts/contacts/<int:pk>/", views.contact_record, name="contact_record"),
]
