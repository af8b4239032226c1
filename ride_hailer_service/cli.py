"""Commands: `flask --app ride_hailer_service init-db | create-user | create-alexa-client |
send-outbox | show-outbox`."""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from . import admin
from .errors import AdminError, EmailTaken
from .mail import deliver_outbox, pending_mail


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database schema (Alembic migrations)."""
    upgrade()
    click.echo("Database is at the latest schema.")


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--name", required=True)
def create_user_command(email: str, password: str, name: str) -> None:
    """Create a Ride Hailer account."""
    try:
        user = admin.create_user(email, password, name)
    except EmailTaken:
        raise click.ClickException("an account with this email exists already") from None
    except AdminError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created user {user.id} <{user.email}>")


@click.command("create-alexa-client")
@with_appcontext
@click.option("--vendor-id", required=True, help="Your Amazon developer vendor id.")
@click.option("--scheme", required=True, type=click.Choice(sorted(admin.ACCESS_TOKEN_SCHEMES)))
@click.option("--implicit", is_flag=True, help="Also allow the implicit grant.")
@click.option("--client-id", default="alexa-skill", show_default=True)
@click.option("--require-pkce", is_flag=True)
@click.option("--name", default=admin.DEFAULT_CLIENT_NAME, show_default=True,
              help='Skill name on the login and consent pages ("Linking allows the NAME skill to").')
@click.option("--base-url", default="https://ride-hailer.example", show_default=True,
              help="Public https URL of this service, for the printed accountLinking.json.")
def create_alexa_client_command(
    vendor_id: str, scheme: str, implicit: bool, client_id: str, require_pkce: bool, name: str, base_url: str
) -> None:
    """Register the Alexa skill as a client and print the accountLinking.json values."""
    try:
        client, secret = admin.create_alexa_client(
            vendor_id, scheme, implicit=implicit, client_id=client_id, require_pkce=require_pkce, name=name
        )
    except AdminError as error:
        raise click.ClickException(str(error)) from None
    base = base_url.rstrip("/")
    request: dict[str, object] = {
        "type": "IMPLICIT" if implicit else "AUTH_CODE",
        "authorizationUrl": f"{base}/oauth/authorize",
        "clientId": client.client_id,
        "scopes": client.scope.split(),
        "domains": [],
        "skipOnEnablement": True,
    }
    if not implicit:  # the implicit grant never calls the token endpoint
        request.update(
            accessTokenUrl=f"{base}/oauth/token",
            accessTokenScheme=scheme,
            defaultTokenExpirationInSeconds=3600,
        )
    click.echo("Registered redirect URLs:")
    for url in client.redirect_uri_list:
        click.echo(f"  {url}")
    if not implicit:
        click.echo("Client secret (shown only now; give it to the ASK CLI as clientSecret, never commit it):")
        click.echo(secret)
    click.echo("accountLinking.json values (without the secret):")
    click.echo(json.dumps({"accountLinkingRequest": request}, indent=2))


@click.command("send-outbox")
@with_appcontext
def send_outbox_command() -> None:
    """Send queued mail by SMTP (run it every minute from cron or a systemd timer)."""
    if not current_app.config["SMTP_HOST"]:
        raise click.ClickException(
            "RIDE_HAILER_SMTP_HOST is not set; use `show-outbox` to read queued mail instead"
        )
    report = deliver_outbox()
    click.echo(f"Sent {report.sent} mail(s); {report.failed} failed and stay queued.")
    if report.failed:
        raise SystemExit(1)


@click.command("show-outbox")
@with_appcontext
@click.option("--all", "include_sent", is_flag=True, help="Also show mail sent already.")
def show_outbox_command(include_sent: bool) -> None:
    """Print queued mail (development without SMTP: the reset links are here)."""
    mails = pending_mail(include_sent=include_sent)
    if not mails:
        click.echo("The outbox is empty.")
    for mail in mails:
        state = f"sent {mail.sent_at:%Y-%m-%d %H:%M:%S} UTC" if mail.sent_at else "queued"
        click.echo(f"--- mail {mail.id} ({state}; {mail.attempts} attempt(s))")
        if mail.last_error and not mail.sent_at:
            click.echo(f"Last error: {mail.last_error}")
        click.echo(f"To: {mail.recipient}")
        click.echo(f"Subject: {mail.subject}")
        click.echo("")
        click.echo(mail.body)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(init_db_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(create_alexa_client_command)
    app.cli.add_command(send_outbox_command)
    app.cli.add_command(show_outbox_command)
