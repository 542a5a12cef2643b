"""The installable web app: manifest, icons, the service worker at the site root and its offline page."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders

from alongside.library.models import Category, Resource
from alongside.service.selectors import forget_snapshot

pytestmark = pytest.mark.django_db


def test_every_page_links_the_manifest_and_says_where_the_worker_is(client):
    body = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in body
    assert 'data-service-worker="/service-worker.js"' in body
    assert 'rel="apple-touch-icon"' in body


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Alongside peer support"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:  # every icon exists
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_worker_is_served_from_the_root_so_its_scope_is_the_whole_site(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'var OFFLINE_URL = "/offline/";' in script
    assert "{%" not in script and "{{" not in script


def test_the_worker_keeps_only_the_offline_page_and_its_files_never_pages_or_api_responses(client):
    script = client.get("/service-worker.js").content.decode()
    kept = json.loads(re.search(r"var PRECACHED = (\[.*?\]);", script).group(1))
    assert kept[0] == "/offline/"
    assert all(url == "/offline/" or url.startswith("/static/") for url in kept)
    # Nothing is ever put in the cache after install: no cache.put, and addAll only for the precached list.
    assert "cache.put" not in script and ".put(" not in script
    assert script.count("addAll(") == 1


def test_the_offline_page_holds_the_services_crisis_lines_and_nothing_personal(client, django_user_model):
    Resource.objects.create(title="Lifeline", phone="13 11 14", category=Category.CRISIS, is_crisis=True, position=1)
    Resource.objects.create(title="Emergency", phone="000", category=Category.CRISIS, is_crisis=True, position=0)
    forget_snapshot()
    from tests import factories

    client.force_login(factories.member(display_name="Quokka"))
    response = client.get("/offline/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "You're offline" in body
    assert 'href="tel:131114"' in body and 'href="tel:000"' in body
    assert "Quokka" not in body and "csrfmiddlewaretoken" not in body


def test_a_changed_crisis_line_changes_the_worker_so_browsers_keep_the_new_offline_page(client):
    before = client.get("/service-worker.js").content
    Resource.objects.create(title="13YARN", phone="13 92 76", category=Category.CRISIS, is_crisis=True, position=3)
    forget_snapshot()
    assert client.get("/service-worker.js").content != before


def test_a_newcomer_without_a_profile_still_gets_the_app_files(client):
    from tests import factories

    client.force_login(factories.member(profile=False))
    for path in ("/manifest.webmanifest", "/service-worker.js", "/offline/"):
        assert client.get(path).status_code == 200, path
