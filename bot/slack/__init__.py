"""The Slack channel: a bolt App that translates Slack events and button clicks for the pipeline.

``build_app`` wires the listeners, ``run_slack`` serves them over Socket Mode (the default) or HTTP.
"""

from __future__ import annotations

from bot.slack.app import build_app
from bot.slack.config import SlackSettings
from bot.slack.run import SlackService, run_slack, start_slack

__all__ = ["SlackService", "SlackSettings", "build_app", "run_slack", "start_slack"]
