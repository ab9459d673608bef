"""Browser tests: Playwright drives Debian's chromium against a live test server.

On a machine without /usr/bin/chromium the tests skip and say so; in CI the
browser is installed by .ci/run and nothing skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: .ci/run must install it")
        pytest.skip("needs Debian chromium at /usr/bin/chromium (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; Django must allow ORM calls in tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context; records console errors and any request leaving 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.console_errors = []
    page.external_requests = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))

    def check_request(request):
        url = request.url
        if url.startswith(("http://", "https://")) and not url.startswith(("http://127.0.0.1", "http://localhost")):
            page.external_requests.append(url)

    page.on("request", check_request)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (kept by CI as an artefact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def pick(page, select_id: str, typed: str, label: str) -> None:
    """Choose in a picker that searches (a Tom Select over `<select id=select_id>`): type, then click the answer.

    Waits for the picker to take the focus and for its first answer (loaded on focus) before typing, as a
    person would see the list open before typing into it.
    """
    wrapper = page.locator(f"#{select_id} + .ts-wrapper")
    if not wrapper.evaluate("w => w.contains(document.activeElement)"):  # a click on a focused picker closes it
        wrapper.locator(".ts-control").click()  # its input is off-screen until one types
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id", arg=f"{select_id}-ts-control"
    )
    page.wait_for_function(
        "id => { const w = document.getElementById(id).nextElementSibling;"
        " return w.classList.contains('preloaded') && !w.classList.contains('loading'); }",
        arg=select_id,
    )
    page.keyboard.type(typed, delay=20)
    page.locator(f"#{select_id}-ts-dropdown .option", has_text=label).first.click()
    page.wait_for_function(
        "([id, label]) => { const s = document.getElementById(id); return s.selectedOptions.length"
        " && s.selectedOptions[0].text === label; }",
        arg=[select_id, label],
    )
