"""The login page follows Accept-Language (seed: render in the Alexa app's language)."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from .conftest import authorize_query, sign_in

TRANSLATIONS = Path(__file__).resolve().parents[2] / "ride_hailer_service" / "translations"

EXPECTED = {
    "de-DE,de;q=0.9,en;q=0.5": ("Anmelden", "nicht dein Amazon-Konto"),
    "es-ES": ("Iniciar sesión", "No es tu cuenta de Amazon"),
    "fr-FR,fr;q=0.8": ("Se connecter", "pas votre compte Amazon"),
    "ja-JP": ("サインイン", "Amazon アカウントではありません"),
    "en-GB": ("Sign in", "not your Amazon account"),
    "pt-BR": ("Sign in", "not your Amazon account"),
}


@pytest.mark.parametrize("accept_language", EXPECTED)
def test_login_page_is_rendered_in_the_accept_language(client, alexa_clients, accept_language):
    response = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id), headers={"Accept-Language": accept_language})
    html = response.get_data(as_text=True)
    button, notice = EXPECTED[accept_language]
    assert f">{button}</button>" in html
    assert notice in html
    assert f'<html lang="{accept_language[:2] if accept_language[:2] != "pt" else "en"}">' in html


def test_login_page_without_accept_language_is_english(client, alexa_clients):
    html = client.get(authorize_query(alexa_clients["HTTP_BASIC"].client_id)).get_data(as_text=True)
    assert ">Sign in</button>" in html


def test_inline_error_is_translated(client, alexa_clients, user):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE"
    html = sign_in(client, authorize_query(alexa_clients["HTTP_BASIC"].client_id), password="falsch").get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort stimmt nicht." in html


@pytest.mark.parametrize("language", ["de", "es", "fr", "ja"])
def test_every_message_is_translated_and_compiled(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po_file:
        po = read_po(po_file)
    with (TRANSLATIONS / "messages.pot").open("rb") as pot_file:
        pot = read_po(pot_file)
    with (folder / "messages.mo").open("rb") as mo_file:
        mo = read_mo(mo_file)
    wanted = {m.id for m in pot if m.id}
    assert wanted <= {m.id for m in po if m.id and m.string}
    assert {(m.id, m.string) for m in po if m.id} == {(m.id, m.string) for m in mo if m.id}
