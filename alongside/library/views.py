from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alongside.directory.models import Region
from alongside.library.models import Category
from alongside.library.selectors import search_resources


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    region = forms.ChoiceField(choices=[("", "All regions"), *Region.choices], required=False)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = category = region = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        category = form.cleaned_data["category"]
        region = form.cleaned_data["region"]
    results = search_resources(query=query, category=category, region=region)
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    template = "library/_results.html" if request.headers.get("HX-Request") else "library/index.html"
    return render(request, template, {"form": form, "page": page, "query": query, "searched": bool(request.GET)})
