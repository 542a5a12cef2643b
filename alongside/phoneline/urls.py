from django.urls import path

from alongside.phoneline import views, webhooks

app_name = "phoneline"
urlpatterns = [
    path("call-back/", views.callback_new, name="callback_new"),
    path("call-back/<str:token>/", views.callback_status, name="callback_status"),
    path("call-back/<str:token>/cancel/", views.callback_cancel, name="callback_cancel"),
    path("phone/number/", views.my_number, name="my_number"),
    path("phone/call-backs/", views.callback_list, name="callbacks"),
    path("phone/call-backs/<int:pk>/", views.callback_detail, name="callback_detail"),
    path("phone/call-backs/<int:pk>/take/", views.callback_take, name="callback_take"),
    path("phone/call-backs/<int:pk>/call/", views.callback_call, name="callback_call"),
    path("phone/call-backs/<int:pk>/outcome/", views.callback_outcome, name="callback_outcome"),
    path("phone/sessions/<int:pk>/", views.session_call, name="session_call"),
    path("phone/sessions/<int:pk>/call/", views.session_call_start, name="session_call_start"),
    # The provider's webhooks: signed POSTs only.
    path("phone/hooks/voice/", webhooks.voice, name="hook_voice"),
    path("phone/hooks/status/", webhooks.status, name="hook_status"),
    path("phone/hooks/calls/<int:pk>/wave/<int:wave>/", webhooks.wave, name="hook_wave"),
    path("phone/hooks/calls/<int:pk>/screen/<int:supporter_id>/", webhooks.screen, name="hook_screen"),
    path(
        "phone/hooks/calls/<int:pk>/screen/<int:supporter_id>/answer/",
        webhooks.screen_answer,
        name="hook_screen_answer",
    ),
    path("phone/hooks/calls/<int:pk>/call-back/", webhooks.keypad, name="hook_keypad"),
    path("phone/hooks/calls/<int:pk>/bridge/", webhooks.bridge, name="hook_bridge"),
    path("phone/hooks/calls/<int:pk>/bridge/done/", webhooks.bridge_done, name="hook_bridge_done"),
]
