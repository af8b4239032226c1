"""The device cloud's login page in a real browser (Debian's chromium): My Lights, not Ride Hailer."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from devstack.smarthome import MyLightsStack

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
PURPOSE = "This allows the My Lights skill to control lights connected to your My Lights hub"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_login_page_says_what_linking_allows_and_links_in_a_phone_browser(browser, stack: MyLightsStack) -> None:
    redirect = f"https://pitangui.amazon.com/api/skill/link/{stack.vendor_id}"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    captured: list[str] = []

    def route(route):
        url = route.request.url
        if url.startswith(stack.cloud_url + "/"):
            route.continue_()
        elif url.startswith(redirect):
            captured.append(url)
            route.fulfill(status=200, content_type="text/html", body="<p>Alexa got it</p>")
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    try:
        query = urlencode({"client_id": stack.client_id, "response_type": "code", "scope": "lights",
                           "state": "s-1", "redirect_uri": redirect})
        page.goto(f"{stack.cloud_url}/oauth/authorize?{query}")
        assert PURPOSE in page.inner_text("main")
        assert page.title() == "Sign in to My Lights"
        assert page.inner_text("header") == "My Lights"
        page.fill("input[name=email]", stack.email)
        page.fill("input[name=password]", stack.password)
        page.click("button[type=submit]")
        page.locator("button[name=decision][value=allow]").wait_for()
        assert PURPOSE in page.inner_text("main")
        page.click("button[name=decision][value=allow]")
        page.wait_for_url(redirect + "?**")
        assert parse_qs(urlsplit(captured[0]).query)["state"] == ["s-1"]
    finally:
        context.close()


def test_ride_hailer_service_keeps_its_own_login_page() -> None:
    from ride_hailer_service import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    with app.test_request_context():
        from flask import render_template_string

        assert "Ride Hailer" in render_template_string('{% extends "base.html" %}')
        assert "My Lights" not in render_template_string('{% extends "base.html" %}')
