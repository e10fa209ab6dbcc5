"""Take the README's screenshots from a running demo (`make run`), desktop and phone.

    .venv/bin/python tools/screenshots.py http://127.0.0.1:5000
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs/screenshots"
PASSWORD = "gjenbruk-demo-2026"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(lambda url: "/login" not in url)


def main(base_url: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        desktop = browser.new_context(base_url=base_url, locale="nb-NO",
                                      viewport={"width": 1280, "height": 900})
        page = desktop.new_page()
        log_in(page, "ola.hansen@bergen.example")
        page.goto("/?q=stol")
        page.screenshot(path=OUT / "browse-desktop.png")
        page.goto("/checks/new")
        page.locator("#need").fill("6 kontorstoler")
        page.get_by_role("button", name="Sjekk hva som finnes").click()
        page.wait_for_url(re.compile(r"/checks/new\?need="))  # searching records nothing
        page.get_by_role("button", name="Lagre kvitteringen").click()
        page.wait_for_url(re.compile(r"/checks/\d+$"))
        page.screenshot(path=OUT / "check-desktop.png", full_page=True)
        lead = browser.new_context(base_url=base_url, locale="nb-NO",
                                   viewport={"width": 1280, "height": 900})
        report = lead.new_page()
        log_in(report, "sofie.lie@bergen.example")
        report.goto("/reports")
        report.screenshot(path=OUT / "report-desktop.png", full_page=True)

        phone = browser.new_context(base_url=base_url, locale="nb-NO", is_mobile=True,
                                    has_touch=True, device_scale_factor=2,
                                    viewport={"width": 375, "height": 812})
        page = phone.new_page()
        log_in(page, "kari.nordmann@bergen.example")
        page.goto("/")
        page.screenshot(path=OUT / "browse-phone.png")
        page.goto("/items/new")
        page.screenshot(path=OUT / "post-phone.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000")
