import logging

import pytest

pytestmark = pytest.mark.django_db

MANY_FIELDS = "&".join(f"field={n}" for n in range(2000))


def test_a_form_with_2000_repeated_fields_gets_a_clear_400_page_and_no_traceback(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/accounts/login/", MANY_FIELDS, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    body = response.content.decode()
    assert "That form sent more than we accept" in body and "nothing was saved" in body
    assert 'aria-label="Urgent help"' in body  # the house error page, crisis strip and all
    refused = [r for r in caplog.records if r.name == "django.security.TooManyFieldsSent"]
    assert len(refused) == 1 and refused[0].levelno == logging.WARNING
    assert all(r.exc_info is None for r in caplog.records)
    assert "Traceback" not in caplog.text


def test_other_bad_requests_keep_the_general_400_page(rf):
    from alongside.service.views import bad_request

    response = bad_request(rf.get("/"), None)
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
