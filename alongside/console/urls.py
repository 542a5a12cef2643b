from django.urls import path

from alongside.console.views import (
    matching,
    overview,
    people,
    resources,
    service_settings,
    supporters,
    talknow,
    workplaces,
)

app_name = "console"
urlpatterns = [
    path("", overview.index, name="index"),
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/role/", people.person_role, name="person_role"),
    path("people/<int:pk>/active/", people.person_active, name="person_active"),
    path("supporters/", supporters.supporter_list, name="supporters"),
    path("supporters/<int:pk>/", supporters.supporter_detail, name="supporter"),
    path("supporters/<int:pk>/pause/", supporters.supporter_pause, name="supporter_pause"),
    path("matching/", matching.waitlist_page, name="waitlist"),
    path("matching/batch/", matching.batch_preview, name="batch_preview"),
    path("matching/batch/<slug:key>/", matching.batch_detail, name="batch_detail"),
    path("matching/batch/<slug:key>/apply/", matching.batch_apply, name="batch_apply"),
    path("matching/requests/<int:pk>/", matching.request_match, name="request_match"),
    path("matching/weights/", matching.weights, name="matching_weights"),
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
    path("talk-now/", talknow.talknow_waiting, name="talknow"),
]
