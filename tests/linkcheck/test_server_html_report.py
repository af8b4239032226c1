"""`alexa-linkcheck server --html`: one page that shows where the link broke, read in Chromium."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from linkcheck_test_servers import CLIENT_SECRET, REDIRECT_URL, USER_PASSWORD
from test_server_probe import credentials, probe, start_server  # noqa: F401

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_report(browser: Any, path: Path) -> tuple[Any, Any, list[str]]:
    """The report in a fresh page that may load nothing but the file itself."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requested: list[str] = []

    def route(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(path.as_uri())
    return context, page, requested


def test_html_report_puts_the_failure_first_with_its_fix_and_links_it_to_its_step(
        start_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        browser: Any) -> None:
    server = start_server(registered=(REDIRECT_URL,))
    html = tmp_path / "report.html"
    status, report = probe(server, capsys, "--html", str(html))
    assert status == 1
    context, page, requested = open_report(browser, html)
    try:
        assert requested == [html.as_uri()]  # self-contained: no scripts, styles or images
        assert page.locator("#verdict").inner_text().startswith("FAILED")
        first = page.locator(".finding").first
        assert first.get_attribute("data-check") == "region-eu"
        assert "users in Europe cannot link" in first.inner_text()
        assert "fix: Register https://layla.amazon.com/api/skill/link/" in first.inner_text()
        # The failure's link lands on the step it judged: the layla sign-in's redirect.
        first.locator("a").click()
        step = page.locator(".step:target")
        assert "layla.amazon.com" in step.inner_text()
        assert step.locator(".arrow").is_visible()
        # Every request of the run is drawn, in order, between the four actors.
        assert page.locator(".actor").all_inner_texts() == [
            "Alexa app", "authorization server", "Alexa service", "skill"]
        indexes = [int(n) for n in page.locator(".step[data-step]").evaluate_all(
            "els => els.map(e => e.dataset.step)")]
        assert indexes == list(range(1, len(indexes) + 1)) and len(indexes) > 20
        assert page.locator(".check.fail").count() == 2
        text = page.locator("body").inner_text()
        assert CLIENT_SECRET not in text and USER_PASSWORD not in text
        for value in server.state.issued:
            assert value not in text
        page.locator("#step-1").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "linkcheck-server-report.png"), full_page=True)
    finally:
        context.close()
    assert json.loads(json.dumps(report))["ok"] is False


def test_html_report_of_a_correct_server_says_ok_and_shows_no_failures(
        start_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        browser: Any) -> None:
    html = tmp_path / "report.html"
    status, _ = probe(start_server(), capsys, "--html", str(html))
    context, page, _ = open_report(browser, html)
    try:
        assert status == 0
        assert page.locator("#verdict").inner_text().startswith("OK")
        assert page.locator("#fails").count() == 0 and page.locator(".check.fail").count() == 0
        assert "context.System.user.accessToken" in page.locator("#sequence").inner_text()
    finally:
        context.close()


def test_html_report_to_an_unwritable_path_is_a_usage_error(
        start_server: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from alexa_linkcheck.__main__ import main

    server = start_server()
    status = main(["server", "--authorization-url", server.authorization_url, "--token-url",
                   server.token_url, "--client-id", "alexa-skill", "--username", "u@example.com",
                   "--vendor-id", "M2X", "--html", str(tmp_path / "missing" / "r.html")])
    assert status == 2
    assert "cannot write" in capsys.readouterr().err
