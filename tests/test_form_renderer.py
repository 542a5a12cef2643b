"""The Python-written widget templates write exactly what Django's templates write, byte for byte."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.forms import LoginForm, SignupForm
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from alongside.accounts.forms import ProfileForm
from alongside.connections.forms import SupportRequestForm
from alongside.lib.form_renderer import PYTHON, FastTemplates
from alongside.lib.zones import TimeZoneSelect, timezone_choices
from alongside.meetings.forms import SessionForm
from tests import factories

TRICKY = [
    ("a&b", 'Tom & "Jerry" <b>'),
    (3, "three"),
    (4, dt.date(2026, 12, 3)),
    ("", "---------"),
    ("x'y", mark_safe("<i>safe</i>")),
]


class Everything(forms.Form):
    text = forms.CharField(initial='he said "hi" & <left>', help_text="help")
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="p<w>")
    number = forms.IntegerField(initial=1234567, widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
    day = forms.DateField(initial=dt.date(2026, 12, 3), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(initial=dt.time(19, 0), widget=forms.TimeInput(format="%H:%M"))
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h&")
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False, disabled=True)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="line\n<two> & 'three'")
    empty_note = forms.CharField(widget=forms.Textarea, required=False)
    one = forms.ChoiceField(choices=TRICKY, initial="a&b")
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear & co")]), ("none", "None"), ("Veg", [("kale", "Kale")])],
        initial="pear",
    )
    many = forms.MultipleChoiceField(choices=TRICKY, initial=["a&b", 3], widget=forms.SelectMultiple(attrs={"size": 4}))
    boxes = forms.MultipleChoiceField(
        choices=TRICKY, initial=["x'y"], widget=forms.CheckboxSelectMultiple(attrs={"class": "c&d"})
    )
    radios = forms.ChoiceField(choices=TRICKY, initial=3, widget=forms.RadioSelect)
    grouped_boxes = forms.MultipleChoiceField(
        choices=[("G<1>", [("a", "A"), ("b", "B")]), ("c", "C")], widget=forms.CheckboxSelectMultiple, required=False
    )


def _renderings(form_class: type[forms.BaseForm], **kwargs: object) -> list[tuple[str, str, str]]:
    """(what, Django's HTML, ours) for the whole form, each field, and each choice of a choice field."""
    django_form = form_class(renderer=DjangoTemplates(), **kwargs)
    fast_form = form_class(renderer=FastTemplates(), **kwargs)
    out = [("form", str(django_form), str(fast_form))]
    for name in django_form.fields:
        theirs, ours = django_form[name], fast_form[name]
        out.append((name, str(theirs), str(ours)))
        if isinstance(theirs.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            for i, (a, b) in enumerate(zip(theirs, ours, strict=True)):
                out.append((f"{name}[{i}].tag", a.tag(), b.tag()))
                out.append((f"{name}[{i}]", str(a), str(b)))
    return out


def _same(renderings: list[tuple[str, str, str]]) -> None:
    for what, theirs, ours in renderings:
        assert ours == theirs, f"{what} differs"


def test_every_widget_kind_renders_as_djangos_templates_do() -> None:
    _same(_renderings(Everything))
    _same(_renderings(Everything, data={"text": "", "one": "nope", "many": ["3"], "boxes": ["a&b", "3"]}))


@pytest.mark.django_db
def test_the_sites_own_forms_render_as_djangos_templates_do(rf: RequestFactory) -> None:
    member = factories.member()
    factories.LanguageFactory.create_batch(3)
    factories.WorkplaceFactory.create_batch(3)
    _same(_renderings(ProfileForm, instance=member.profile))
    _same(_renderings(SupportRequestForm))
    _same(_renderings(SessionForm, media=["phone", "video"], time_zone="Australia/Melbourne"))
    _same(_renderings(SignupForm))
    _same(_renderings(LoginForm, request=rf.get("/accounts/login/")))


def test_it_is_the_sites_form_renderer_and_covers_the_repeated_templates() -> None:
    assert settings.FORM_RENDERER == "alongside.lib.form_renderer.FastTemplates"
    assert isinstance(get_default_renderer(), FastTemplates)
    assert {"django/forms/widgets/select_option.html", "django/forms/widgets/checkbox_option.html"} <= set(PYTHON)


class Zones(forms.Form):
    zone = forms.ChoiceField(choices=timezone_choices, initial="Australia/Melbourne", widget=TimeZoneSelect)
    plain = forms.ChoiceField(choices=timezone_choices, initial="Australia/Melbourne")


@pytest.mark.parametrize(
    "data", [None, {"zone": "Europe/London", "plain": "Europe/London"}, {"zone": "nowhere", "plain": "nowhere"}]
)
def test_the_time_zone_list_is_rendered_once_and_reads_as_the_plain_one(data: dict[str, str] | None) -> None:
    form = Zones(data)
    form.is_valid()
    for _ in range(2):
        cached, plain = str(form["zone"]), str(form["plain"])
        assert cached.replace('"zone"', '"plain"').replace("id_zone", "id_plain") == plain
    assert '<option value="Australia/Melbourne"' in cached


def test_the_time_zone_list_comes_from_the_cache_the_second_time() -> None:
    from alongside.lib import zones

    zones._rendered.cache_clear()
    str(Zones()["zone"]), str(Zones()["zone"])
    assert zones._rendered.cache_info().hits >= 1
