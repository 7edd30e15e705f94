"""EmailSettings.from_env: URLs, plain text only on loopback, processed handling, rate limit."""

from __future__ import annotations

import pytest

from bot.email.config import EmailConfigError, EmailSettings, ProcessedAction, Security

BASE = {
    "QUOTEBOT_IMAP_URL": "imaps://quotes%40shop.example:p%40ss@mail.shop.example/Quotes",
    "QUOTEBOT_SMTP_URL": "smtp://quotes%40shop.example:pw@mail.shop.example:587?starttls=1",
    "QUOTEBOT_EMAIL_ADDRESS": "quotes@shop.example",
}


def test_from_env_reads_urls() -> None:
    s = EmailSettings.from_env(BASE | {"QUOTEBOT_EMAIL_ALLOW": " Customer.example, @x.example ,b@y.example"})
    assert (s.imap.host, s.imap.port, s.imap.security, s.imap.folder) == ("mail.shop.example", 993, Security.TLS,
                                                                          "Quotes")
    assert (s.imap.username, s.imap.password.get_secret_value()) == ("quotes@shop.example", "p@ss")
    assert (s.smtp.port, s.smtp.security) == (587, Security.STARTTLS)
    assert s.allow == ("customer.example", "x.example", "b@y.example")
    assert s.processed is ProcessedAction.FLAG and s.domain == "shop.example"
    assert "p@ss" not in repr(s)


def test_plain_text_only_on_loopback() -> None:
    local = EmailSettings.from_env(BASE | {"QUOTEBOT_IMAP_URL": "imap://u:p@127.0.0.1:10143"})
    assert local.imap.security is Security.PLAIN and local.imap.folder == "INBOX"
    with pytest.raises(EmailConfigError) as info:
        EmailSettings.from_env(BASE | {"QUOTEBOT_IMAP_URL": "imap://u:p@mail.shop.example"})
    assert str(info.value) == (
        "QUOTEBOT_IMAP_URL: plain text to mail.shop.example is refused; use imaps:// or ?starttls=1"
    )


def test_options() -> None:
    s = EmailSettings.from_env(BASE | {"QUOTEBOT_EMAIL_PROCESSED": "move:Done/Quotes",
                                       "QUOTEBOT_EMAIL_RATE_LIMIT": "5/600", "QUOTEBOT_EMAIL_ACK_OTHERS": "0"})
    assert (s.processed, s.processed_folder) == (ProcessedAction.MOVE, "Done/Quotes")
    assert (s.rate_limit_count, s.rate_limit_window_s, s.acknowledge_others) == (5, 600.0, False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"QUOTEBOT_SMTP_URL": ""}, "QUOTEBOT_SMTP_URL is not set"),
        ({"QUOTEBOT_SMTP_URL": "http://u:p@h"}, "QUOTEBOT_SMTP_URL: scheme must be one of imap, imaps, smtp, smtps, "
                                                 "got 'http'"),
        ({"QUOTEBOT_IMAP_URL": "imaps://mail.shop.example"},
         "QUOTEBOT_IMAP_URL: expected imaps://USER:PASSWORD@HOST[:PORT]"),
        ({"QUOTEBOT_EMAIL_PROCESSED": "move"},
         "QUOTEBOT_EMAIL_PROCESSED: expected 'flag' or 'move:FOLDER', got 'move'"),
        ({"QUOTEBOT_EMAIL_RATE_LIMIT": "lots"}, "QUOTEBOT_EMAIL_RATE_LIMIT: expected 'COUNT/SECONDS', got 'lots'"),
    ],
)
def test_errors_name_the_variable(change: dict[str, str], message: str) -> None:
    with pytest.raises(EmailConfigError) as info:
        EmailSettings.from_env(BASE | change)
    assert str(info.value) == message
