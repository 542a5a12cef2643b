"""The reports as CSV: the same suppressed figures the page shows, and every cell made safe for spreadsheets.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read as a formula by Excel,
LibreOffice or Google Sheets (a topic named ``=HYPERLINK(...)`` could send a coordinator's data away), so it is
prefixed with an apostrophe, as OWASP's advice on CSV injection says.
"""

from __future__ import annotations

import csv
import io

from alongside.console.service_reports import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def report_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "value"])
    writer.writerow(["period", "from", report.period.start.isoformat()])
    writer.writerow(["period", "to", report.period.end.isoformat()])
    for table in report.tables:
        for cell in table.cells:
            writer.writerow([safe_cell(table.title), safe_cell(cell.label), safe_cell(cell.shown)])
        if table.total is not None:
            writer.writerow([safe_cell(table.title), "Total", safe_cell(table.total.shown)])
    for figure in report.figures:
        writer.writerow([safe_cell(figure.label), "", safe_cell(figure.shown)])
    return out.getvalue()
