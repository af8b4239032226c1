"""What the device cloud adds to the authorization server: API, event sender, commands."""
from __future__ import annotations

import click
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from . import alexa, api


@click.command("init-my-lights")
def init_command() -> None:
    """Create or upgrade the service's schema and the device cloud's tables."""
    from . import init_database
    from flask import current_app

    init_database(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("database ready")


@click.command("send-alexa-events")
def send_events_command() -> None:
    """Send every due event of the outbox to the Alexa event gateway."""
    report = alexa.deliver_events()
    click.echo(f"sent {report.sent}, retrying {report.retrying}, dropped {report.dropped}")


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the lights API, the commands and (outside testing) the event sender."""
    api.init_app(app, csrf)
    app.cli.add_command(init_command)
    app.cli.add_command(send_events_command)
    if app.config["EVENT_BACKGROUND_SENDER"] and not app.testing:
        sender = alexa.event_sender(app, float(app.config["EVENT_SEND_INTERVAL"]))
        app.extensions[alexa.SENDER_EXTENSION] = sender

        @app.before_request
        def start_event_sender() -> None:
            sender.start_once()
