"""The subscription a browser posts when a person asks for alerts on a device, checked field by field."""

from __future__ import annotations

from typing import Any

from django import forms

from alongside.notifications.devices import MAX_ENDPOINT_LENGTH, auth_problem, endpoint_problem, p256dh_problem


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


class DeviceForm(forms.Form):
    """Made from ``PushSubscription.toJSON()``: ``{"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}``."""

    endpoint = forms.CharField(
        max_length=MAX_ENDPOINT_LENGTH + 1,  # the length has its own message below
        strip=False,
        error_messages={"required": "The browser sent no push address (endpoint)."},
    )
    p256dh = forms.CharField(
        max_length=200, error_messages={"required": "The browser sent no public key for the device (keys.p256dh)."}
    )
    auth = forms.CharField(
        max_length=200, error_messages={"required": "The browser sent no auth secret for the device (keys.auth)."}
    )

    @classmethod
    def from_json(cls, data: Any) -> DeviceForm:
        data = data if isinstance(data, dict) else {}
        keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
        return cls(
            {
                "endpoint": _text(data.get("endpoint")),
                "p256dh": _text(keys.get("p256dh")),
                "auth": _text(keys.get("auth")),
            }
        )

    def clean_endpoint(self) -> str:
        value: str = self.cleaned_data["endpoint"]
        problem = endpoint_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="endpoint")
        return value

    def clean_p256dh(self) -> str:
        value: str = self.cleaned_data["p256dh"]
        problem = p256dh_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="p256dh")
        return value.rstrip("=")

    def clean_auth(self) -> str:
        value: str = self.cleaned_data["auth"]
        problem = auth_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="auth")
        return value.rstrip("=")

    def error_dict(self) -> dict[str, list[str]]:
        return {field: [str(message) for message in messages] for field, messages in self.errors.items()}
