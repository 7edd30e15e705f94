"""The email channel: IMAP in, SMTP out, threaded replies (see bot/email/run.py for the loop)."""

from bot.email.config import EmailSettings
from bot.email.run import run_email

__all__ = ["EmailSettings", "run_email"]
