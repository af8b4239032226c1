"""Headless Chromium at a phone viewport links an account the way the Alexa app would."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .conftest import EMAIL, NA_REDIRECT, PASSWORD, authorize_query

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _phone_page(browser, live_server, locale: str):
    """A phone-sized page whose requests never leave 127.0.0.1; Alexa's redirect is captured."""
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
    captured: list[str] = []
    dialogs: list[str] = []

    def route(route):
        url = route.request.url
        if url.startswith(live_server.url + "/"):
            route.continue_()
        elif url.startswith(NA_REDIRECT):
            captured.append(url)
            route.fulfill(status=200, content_type="text/html", body="<p>Alexa got it</p>")
        else:
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("popup", lambda popup: dialogs.append("popup " + popup.url))
    return context, page, captured, dialogs


def test_phone_browser_links_account_with_inline_error_and_no_dialogs(browser, live_server, alexa_clients, user):
    registered = alexa_clients["HTTP_BASIC"]
    context, page, captured, dialogs = _phone_page(browser, live_server, "en-US")
    try:
        page.goto(live_server.url + authorize_query(registered.client_id))
        assert "not your Amazon account" in page.content()
        page.fill("input[name=email]", "  Rider@Example.com")
        page.fill("input[name=password]", "wrong password")
        page.click("button[type=submit]")
        error = page.locator("#password-error")
        assert error.is_visible()
        assert "The email or password is not correct." in error.inner_text()
        # the error sits right under the password field, inside the viewport
        field_box = page.locator("input[name=password]").bounding_box()
        error_box = error.bounding_box()
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 40
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.locator("button[name=decision][value=allow]").wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "service-consent-phone.png"), full_page=True)
        page.click("button[name=decision][value=allow]")
        page.wait_for_url(NA_REDIRECT + "?**")
        assert "Alexa got it" in page.content()
        assert len(captured) == 1
        query = parse_qs(urlsplit(captured[0]).query)
        assert query["state"] == ["alexa-state-123"]
        tokens = requests.post(
            live_server.url + "/oauth/token",
            data={"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": NA_REDIRECT},
            auth=(registered.client_id, registered.secret),
            timeout=10,
        )
        assert tokens.status_code == 200 and tokens.json()["token_type"] == "Bearer"
        assert dialogs == []
    finally:
        context.close()


def test_phone_browser_shows_german_login_page_for_german_accept_language(browser, live_server, alexa_clients, user):
    context, page, captured, dialogs = _phone_page(browser, live_server, "de-DE")
    try:
        page.goto(live_server.url + authorize_query(alexa_clients["HTTP_BASIC"].client_id))
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.locator("button[type=submit]").inner_text() == "Anmelden"
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", "falsch")
        page.click("button[type=submit]")
        assert "E-Mail-Adresse oder Passwort stimmt nicht." in page.locator("#password-error").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "service-login-phone-de.png"), full_page=True)
        assert dialogs == [] and captured == []
    finally:
        context.close()


#: Two different Japanese glyphs drawn in the page's font: without a CJK font both come out
#: as the same "tofu" box, with one they differ (Debian's fonts-noto-cjk, installed by
#: scripts/ensure-chromium).
_GLYPHS_DIFFER = """() => {
  const canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext('2d');
  const font = '48px ' + getComputedStyle(document.body).fontFamily;
  const draw = (ch) => { ctx.clearRect(0, 0, 64, 64); ctx.font = font; ctx.fillText(ch, 4, 52);
                         return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(','); };
  return draw('\u30ed') !== draw('\u30b0') && draw('\u30ed') !== draw('\u3000');
}"""


def test_phone_browser_shows_the_japanese_login_page_in_real_glyphs(browser, live_server, alexa_clients, user):
    context, page, captured, dialogs = _phone_page(browser, live_server, "ja-JP")
    try:
        page.goto(live_server.url + authorize_query(alexa_clients["HTTP_BASIC"].client_id))
        assert page.locator("html").get_attribute("lang") == "ja"
        text = page.locator("body").inner_text()
        assert any("\u3040" <= ch <= "\u30ff" for ch in text), text  # kana on the page
        assert page.evaluate(_GLYPHS_DIFFER), "Japanese text renders as boxes: no CJK font"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "service-login-phone-ja.png"), full_page=True)
        assert dialogs == [] and captured == []
    finally:
        context.close()
