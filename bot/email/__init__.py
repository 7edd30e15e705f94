"""The email channel: IMAP in, SMTP out, threaded replies (see bot/email/run.py for the loop)."""

from bot.email.config import EmailConfigError, EmailSettings
from bot.email.run import EmailService, run_email, start_email

__all__ = ["EmailConfigError", "EmailService", "EmailSettings", "run_email", "start_email"]
