"""I need help now: the crisis lines at once, and the coordinator on call alerted only when the member asks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from alongside.notifications.models import Kind, Notification
from alongside.safety.models import Concern, Level, Source
from tests import factories

pytestmark = pytest.mark.django_db

ALERT_BUTTON = "Alert the coordinator on call"


def test_a_visitor_sees_the_crisis_lines_and_no_alert_button(client):
    page = client.get(reverse("safety:help_now")).content.decode()
    assert "tel:000" in page and "Lifeline" in page
    assert ALERT_BUTTON not in page


def test_a_visitors_post_alerts_nobody(client, on_call):
    assert client.post(reverse("safety:help_now"), {"alert": "yes"}).status_code == 200
    assert not Concern.objects.exists()


def test_the_member_sees_the_crisis_lines_first_and_opening_the_page_alerts_nobody(member_client, on_call):
    page = member_client.get(reverse("safety:help_now")).content.decode()
    main = page[page.index('id="main"') :]
    assert main.index("Lifeline") < main.index(ALERT_BUTTON)
    assert not Concern.objects.exists()


def test_an_empty_post_alerts_nobody(member_client, on_call):
    assert member_client.post(reverse("safety:help_now")).status_code == 200
    assert not Concern.objects.exists()


def test_alerting_raises_an_imminent_concern_about_the_member_and_says_what_happens_next(
    member_client, member, thread, on_call, django_capture_on_commit_callbacks
):
    page = member_client.get(reverse("safety:help_now") + f"?thread={thread.pk}").content.decode()
    assert f'name="thread" value="{thread.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = member_client.post(reverse("safety:help_now"), {"alert": "yes", "thread": thread.pk})
    concern = Concern.objects.get()
    assert (concern.source, concern.level, concern.raised_by, concern.member, concern.thread_id) == (
        Source.MEMBER,
        Level.IMMINENT,
        member,
        member,
        thread.pk,
    )
    assert Notification.objects.filter(user=on_call, kind=Kind.CONCERN_RAISED).count() == 1
    after = member_client.get(answer["Location"]).content.decode()
    assert "We have alerted the coordinator on call" in after and "What happens next" in after
    assert "Lifeline" in after


def test_a_thread_that_is_not_theirs_is_ignored_but_the_alert_still_goes(member_client, on_call):
    stranger_thread = 987654
    member_client.post(reverse("safety:help_now"), {"alert": "yes", "thread": stranger_thread})
    assert Concern.objects.get().thread_id is None


def test_a_double_tap_on_alert_makes_one_concern(member_client, on_call):
    member_client.post(reverse("safety:help_now"), {"alert": "yes"})
    member_client.post(reverse("safety:help_now"), {"alert": "yes"})
    assert Concern.objects.count() == 1


def test_the_control_is_in_every_conversation_and_on_talk_now(member_client, thread, talknow, open_service):
    for url in (
        reverse("conversations:thread", args=[thread.pk]),
        reverse("talknow:conversation", args=[talknow.pk]),
        reverse("connections:connection_detail", args=[thread.connection_id]),
    ):
        page = member_client.get(url).content.decode()
        assert 'class="button help-now-link"' in page, url
    talknow.state = "ended"
    talknow.save()
    waiting = factories.member(display_name="Wendy")
    client = Client()
    client.force_login(waiting)
    assert "I need help now" in client.get(reverse("talknow:start")).content.decode()


def test_a_member_who_has_not_finished_their_profile_still_gets_help(on_call):
    fresh = factories.member(profile=False)
    client = Client()
    client.force_login(fresh)
    page = client.get(reverse("safety:help_now"))
    assert page.status_code == 200 and ALERT_BUTTON in page.content.decode()
