"""The sustainability lead in a real browser: this year's figures against the goal, down to
the records, a factor changed without changing history, the XLSX, and the printed page."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reuse.clock import oslo_today
from reuse.models import Role
from reuse.services import goals
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.browser.test_journeys import has_no_horizontal_scroll, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


@pytest.fixture
def this_year(people, hand_over, lead, db):
    hand_over(people.admin, people.member, quantity=2)  # 2 × 4500 kr
    hand_over(people.admin, people.outsider, category="besoksstol")  # 1500 kr
    goals.set_goal(lead, year=oslo_today().year, metric="avoided_cost_nok",
                   target=Decimal("20000"))
    db.session.commit()


def test_the_lead_reads_drills_down_changes_a_factor_downloads_and_prints(new_page, lead,
                                                                          this_year):
    page = new_page()
    log_in(page, lead)
    page.get_by_role("link", name="Rapporter").click()
    page.get_by_role("heading", name="Gjenbruksrapport").wait_for()
    year = oslo_today().year
    assert f"Hele kommunen · 01.01.{year}–31.12.{year}" in page.inner_text("main")
    goal_row = page.get_by_role("row", name=re.compile("Hele kommunen Unngått kostnad"))
    assert re.search(r"20\s000\skr\s+10\s500\skr\s+52,5\s%", goal_row.inner_text())
    screenshot(page, "report-desktop")

    # From the total down to the records, with the factors each used.
    page.get_by_role("link", name=re.compile(r"10\s500\skr\s+unngått kostnad")).click()
    page.get_by_role("heading", name="Føringene bak tallene").wait_for()
    rows = page.locator("#records-table tbody tr")
    assert rows.count() == 2
    assert re.search(r"4\s500\skr", rows.first.inner_text())

    # A new price for office chairs from today: history stays as it was.
    page.goto("/reports/factors")
    page.get_by_role("link", name="Endre faktorene for Kontorstol").click()
    page.get_by_label("Nypris per stykk (kr)").fill("6000")
    page.get_by_label("Kilde for nypris").fill("Rammeavtale møbler 2026")
    page.get_by_role("button", name="Lagre nye faktorer").click()
    page.get_by_text("Nye faktorer for Kontorstol gjelder fra i dag").wait_for()
    page.goto("/reports")
    assert re.search(r"10\s500\skr\s+unngått kostnad",
                     page.locator(".key-figures").first.inner_text())

    # The summary as a spreadsheet.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").first.click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    facts = {row[0].value: row[1].value for row in workbook["Sammendrag"].iter_rows(min_row=2)}
    assert facts["Unngått kostnad (kr)"] == 10500 and facts["Ting gjenbrukt"] == 3

    # On paper: no navigation or forms, the figures and the chart kept.
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".report-filter").is_hidden()
    assert page.locator(".report-tools").is_hidden()
    assert page.locator(".month-chart").is_visible()
    assert page.locator("#months-table").is_visible()
    assert page.pdf(format="A4")[:4] == b"%PDF"
    screenshot(page, "report-print")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_report_pages_have_no_serious_accessibility_violations(new_page, lead, this_year,
                                                               phone):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page(phone=phone)
    log_in(page, lead)
    found = {}
    for path in ("/reports", "/reports/records", "/reports/checks?outcome=open",
                 "/reports/method", "/reports/goals", "/reports/factors",
                 "/reports/factors/kontorstol"):
        page.goto(path)
        found[path] = [(v["id"], v["impact"], v["nodes"][0]["target"], v["help"])
                       for v in axe.run(page, options=AXE_OPTIONS).response["violations"]
                       if v["impact"] in BLOCKING]
        if path == "/reports" and phone:
            assert has_no_horizontal_scroll(page)
    assert {path: v for path, v in found.items() if v} == {}
