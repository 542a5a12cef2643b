"""allauth's forms in the house style: our labels, in sentence case and Australian English, no placeholders.

Wired in through ``ACCOUNT_FORMS`` and ``MFA_FORMS``; the page templates are ours too
(``templates/account/``, ``templates/mfa/``), so none of the library's default text is shown.
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms

EMAIL = "Email address"
PASSWORD = "Password"
NEW_PASSWORD = "New password"
CONFIRM_PASSWORD = "Type the new password again"
CODE = "Six-digit code from your authenticator app"
CODE_HELP = "Or one of your recovery codes, if you don't have your phone."
# The password validators' rules (settings.AUTH_PASSWORD_VALIDATORS) in one line instead of a four-item list.
PASSWORD_HELP = "At least 10 characters. Not a common password, not only numbers, and not like your email."


def _house(form: forms.Form, labels: dict[str, str], help_texts: dict[str, str] | None = None) -> None:
    """Set our labels and help, and drop the library's placeholders (a label already says it)."""
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in labels:
            field.label = labels[name]
    for name, text in (help_texts or {}).items():
        if name in form.fields:
            form.fields[name].help_text = text


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The library puts a "Forgot your password?" link in the help text; the page has its own link.
        _house(self, {"login": EMAIL, "password": PASSWORD, "remember": "Remember me"}, {"password": ""})


class SignupForm(account_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(
            self,
            {"email": EMAIL, "password1": PASSWORD, "password2": "Type the password again"},
            {
                "email": "We send a link to confirm it. Peers never see your email address.",
                "password1": PASSWORD_HELP,
            },
        )


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"email": EMAIL})


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"password1": NEW_PASSWORD, "password2": CONFIRM_PASSWORD}, {"password1": PASSWORD_HELP})


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(
            self,
            {"oldpassword": "Current password", "password1": NEW_PASSWORD, "password2": CONFIRM_PASSWORD},
            {"oldpassword": "", "password1": PASSWORD_HELP},
        )


class SetPasswordForm(account_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"password1": PASSWORD, "password2": "Type the password again"}, {"password1": PASSWORD_HELP})


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"email": "New email address"})


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"password": "Your password"}, {"password": ""})


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"code": CODE}, {"code": CODE_HELP})


class MFAReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"code": CODE}, {"code": CODE_HELP})


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _house(self, {"code": "Six-digit code the app shows"})
