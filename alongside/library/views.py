from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from alongside.directory.models import Region
from alongside.library.models import Category, Resource
from alongside.library.selectors import search_resources, search_words


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)
    referral = forms.BooleanField(label="Referral services only", required=False)


def index(request: HttpRequest) -> HttpResponse:
    """The library: open to everyone for crisis lines and public resources; the rest after signing in."""
    form = SearchForm(request.GET or None)
    query = category = region = ""
    referral = False
    if form.is_valid():
        query = form.cleaned_data["q"]
        category = form.cleaned_data["category"]
        region = form.cleaned_data["region"]
        referral = form.cleaned_data["referral"]
    signed_in = request.user.is_authenticated
    results = search_resources(
        query=query, category=category, region=region, referral_only=referral, signed_in=signed_in
    )
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    template = "library/_results.html" if request.headers.get("HX-Request") else "library/index.html"
    context = {
        "form": form,
        "page": page,
        "query": query,
        "words": search_words(query),
        "category_label": Category(category).label if category else "",
        "region_label": Region(region).label if region else "",
        "referral": referral,
        "searched": bool(request.GET),
        "signed_in": signed_in,
    }
    return render(request, template, context)


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One resource. A private one asks a visitor to sign in, without saying what it is."""
    resource = get_object_or_404(Resource, pk=pk)
    if not resource.is_for_everyone and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "library/detail.html", {"resource": resource})
