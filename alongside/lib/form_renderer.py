"""Django's form renderer, with its smallest and most repeated widget templates written in Python.

Django renders every <option> and every checkbox through a template of its own: the time zone
list alone (518 options) cost ~40 ms of a 55 ms /profile/ page. These functions write exactly the
same HTML as Django's templates (tests/test_form_renderer.py compares them byte for byte, escaping
included) for the templates named in ``PYTHON``; every other template renders as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape

W = "django/forms/widgets/"


def _text(value: Any) -> str:
    """``{{ value }}`` in a template: localized, then escaped unless already safe."""
    value = localize(value)
    return str(conditional_escape(value if isinstance(value, str) else str(value)))


def _s(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``."""
    return str(conditional_escape(value if isinstance(value, str) else f"{value}"))


def _attrs(attrs: dict[str, Any]) -> str:
    """attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    """input.html."""
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _input_option(widget: dict[str, Any]) -> str:
    """input_option.html."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    label_for = widget["attrs"].get("id")
    opening = f'<label for="{_text(label_for)}">' if label_for else "<label>"
    return f"{opening}{_input(widget)} {_text(widget['label'])}</label>\n"


def _option(widget: dict[str, Any]) -> str:
    """select_option.html."""
    return f'<option value="{_s(widget["value"])}"{_attrs(widget["attrs"])}>{_text(widget["label"])}</option>\n'


def _textarea(widget: dict[str, Any]) -> str:
    """textarea.html."""
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>\n'


class FastTemplates(DjangoTemplates):
    """The default renderer (Django's own form templates), with ``PYTHON``'s templates written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = PYTHON.get(template_name)
        if write is None or set(context) != {"widget"}:
            return str(super().render(template_name, context, request=request))
        return write(self, context["widget"]).strip()  # as Django's renderer strips a template's output

    def _sub(self, option: dict[str, Any]) -> str:
        """``{% include option.template_name with widget=option %}`` (an include is not stripped)."""
        write = PYTHON.get(option["template_name"])
        if write is None:
            return str(self.get_template(option["template_name"]).render({"widget": option}))
        return write(self, option)

    def select(self, widget: dict[str, Any]) -> str:
        """select.html."""
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend("\n  " + self._sub(option) for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>\n")
        return "".join(parts)

    def multiple_input(self, widget: dict[str, Any]) -> str:
        """multiple_input.html (checkboxes and radio buttons as a whole)."""
        attrs = widget["attrs"]
        opening = "<div"
        if attrs.get("id"):
            opening += f' id="{_text(attrs["id"])}"'
        if attrs.get("class"):
            opening += f' class="{_text(attrs["class"])}"'
        parts = [opening + ">"]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{_text(group)}</label>")
            parts.extend(f"<div>\n    {self._sub(option)}</div>" for option in options)
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>\n")
        return "".join(parts)


def _then_newline(write: Callable[[dict[str, Any]], str]) -> Callable[[FastTemplates, dict[str, Any]], str]:
    """A template that only includes another and ends with a line break."""
    return lambda _renderer, widget: write(widget) + "\n"


INPUTS: tuple[str, ...] = ("text", "email", "password", "number", "url", "tel", "search", "date", "time")
INPUTS += ("datetime", "hidden", "checkbox", "color", "file")
"""Input widgets whose template only includes input.html."""

PYTHON: dict[str, Callable[[FastTemplates, dict[str, Any]], str]] = {
    W + "attrs.html": lambda _renderer, widget: _attrs(widget["attrs"]),
    W + "input.html": lambda _renderer, widget: _input(widget),
    W + "input_option.html": lambda _renderer, widget: _input_option(widget),
    W + "checkbox_option.html": _then_newline(_input_option),
    W + "radio_option.html": _then_newline(_input_option),
    W + "select_option.html": lambda _renderer, widget: _option(widget),
    W + "select.html": FastTemplates.select,
    W + "multiple_input.html": FastTemplates.multiple_input,
    W + "checkbox_select.html": lambda renderer, widget: renderer.multiple_input(widget) + "\n",
    W + "radio.html": lambda renderer, widget: renderer.multiple_input(widget) + "\n",
    W + "textarea.html": lambda _renderer, widget: _textarea(widget),
    **{f"{W}{kind}.html": _then_newline(_input) for kind in INPUTS},
}
