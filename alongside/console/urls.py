from django.urls import path

from alongside.console.views import overview, people, resources, service_settings, workplaces

app_name = "console"
urlpatterns = [
    path("", overview.index, name="index"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/role/", people.person_role, name="person_role"),
    path("people/<int:pk>/active/", people.person_active, name="person_active"),
    path("resources/", resources.resource_list, name="resources"),
    path("resources/add/", resources.resource_add, name="resource_add"),
    path("resources/<int:pk>/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", resources.resource_delete, name="resource_delete"),
    path("workplaces/", workplaces.workplace_list, name="workplaces"),
    path("workplaces/add/", workplaces.workplace_add, name="workplace_add"),
    path("workplaces/bulk/", workplaces.workplace_bulk_add, name="workplace_bulk_add"),
    path("workplaces/<int:pk>/", workplaces.workplace_edit, name="workplace_edit"),
    path("workplaces/<int:pk>/active/", workplaces.workplace_active, name="workplace_active"),
    path("settings/", service_settings.service_settings, name="settings"),
]
