#!/usr/bin/env bash
# A real mail server on loopback for the email tests: dovecot (IMAP + LMTP + SASL) and postfix (SMTP, AUTH),
# without systemd, all state under one folder. Test use only: plain passwords, no TLS, loopback only.
#
#   scripts/mailserver.sh [start|stop|restart-imap|status] [DIR]     (DIR default: /tmp/quotebot-mail)
#
# start installs dovecot-imapd dovecot-lmtpd postfix swaks when they are missing (root + apt-get only),
# is idempotent (a running server in DIR is reused) and prints the ports and users as KEY=VALUE lines.
# Domains shop.example, customer.example and other.example are delivered locally; every other
# destination is refused. Ports: QUOTEBOT_MAIL_IMAP_PORT (10143), QUOTEBOT_MAIL_SMTP_PORT (10025).
set -euo pipefail

ACTION="${1:-start}"
DIR="${2:-${QUOTEBOT_MAIL_DIR:-/tmp/quotebot-mail}}"
IMAP_PORT="${QUOTEBOT_MAIL_IMAP_PORT:-10143}"
SMTP_PORT="${QUOTEBOT_MAIL_SMTP_PORT:-10025}"
LMTP_PORT="${QUOTEBOT_MAIL_LMTP_PORT:-10024}"
AUTH_PORT="${QUOTEBOT_MAIL_AUTH_PORT:-10026}"
# distinctive, so a test can search a log for it (QUOTEBOT_MAIL_PASSWORD to choose another)
PASSWORD="${QUOTEBOT_MAIL_PASSWORD:-qb-mailpw-5c81e2}"
USERS="quotes@shop.example sales@shop.example alice@customer.example bob@customer.example mallory@other.example"

say() { echo "mailserver: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # PORT SECONDS: bounded wait until something listens
  local deadline=$((SECONDS + $2))
  until port_open "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then say "port $1 not listening after $2 s"; return 1; fi
    sleep 0.2
  done
}

wait_closed() {
  local deadline=$((SECONDS + $2))
  while port_open "$1"; do
    if [ "$SECONDS" -ge "$deadline" ]; then say "port $1 still open after $2 s"; return 1; fi
    sleep 0.2
  done
}

install_packages() {
  if command -v dovecot >/dev/null && [ -x /usr/sbin/postfix ] && [ -x /usr/lib/dovecot/lmtp ] && command -v swaks >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "dovecot/postfix missing and cannot install them (needs root and apt-get)"; return 1
  fi
  say "installing dovecot-imapd dovecot-lmtpd postfix swaks"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  # an update only when the package lists are absent or the install fails
  if ! timeout 300 apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-lmtpd postfix swaks \
      </dev/null >/dev/null 2>&1; then
    timeout 300 apt-get update -qq </dev/null >/dev/null 2>&1 || true
    timeout 300 apt-get install -y -qq --no-install-recommends dovecot-imapd dovecot-lmtpd postfix swaks \
      </dev/null >/dev/null 2>&1 || { say "apt-get install failed"; return 1; }
  fi
}

write_config() {
  id vmail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin vmail
  local uid gid
  uid=$(id -u vmail); gid=$(id -g vmail)
  mkdir -p "$DIR"/{log,run,state,mail,postfix,postfix-queue,postfix-data}
  chmod 755 "$DIR" "$DIR/run"
  chown vmail:vmail "$DIR/mail"
  chown postfix "$DIR/postfix-data"
  : >"$DIR/users"; : >"$DIR/postfix/vmailbox"
  for user in $USERS; do
    echo "$user:{PLAIN}$PASSWORD:$uid:$gid::$DIR/mail/$user::" >>"$DIR/users"
    echo "$user ok" >>"$DIR/postfix/vmailbox"
  done
  chmod 640 "$DIR/users"; chown root:dovecot "$DIR/users" 2>/dev/null || true
  cat >"$DIR/dovecot.conf" <<EOF
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DIR/run/dovecot
state_dir = $DIR/state
log_path = $DIR/log/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# tests log in with wrong passwords on purpose (quotebot doctor); no penalty delay for them
auth_failure_delay = 0
first_valid_uid = $uid
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DIR/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $DIR/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
protocol lmtp {
  postmaster_address = postmaster@shop.example
}
EOF
  cat >"$DIR/postfix/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $DIR/postfix-queue
data_directory = $DIR/postfix-data
maillog_file_prefixes = $DIR/log
maillog_file = $DIR/log/postfix.log
myhostname = mail.shop.example
mydomain = shop.example
myorigin = shop.example
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = shop.example customer.example other.example
virtual_mailbox_maps = texthash:$DIR/postfix/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
relay_domains =
default_transport = error:this test server delivers to its own domains only
relay_transport = error:this test server delivers to its own domains only
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtputf8_enable = no
biff = no
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 20s
EOF
  # the Debian master.cf without chroot (the queue lives under DIR) and with smtpd on the loopback port
  grep -v -E '^(#|smtp +inet)' /usr/share/postfix/master.cf.dist \
    | awk 'NF >= 8 && $1 !~ /^-/ && $5 == "y" { $5 = "n" } { print }' >"$DIR/postfix/master.cf"
  echo "127.0.0.1:$SMTP_PORT inet n - n - - smtpd" >>"$DIR/postfix/master.cf"
}

start_dovecot() {
  port_open "$IMAP_PORT" && return 0
  dovecot -c "$DIR/dovecot.conf" </dev/null >/dev/null 2>&1
  wait_port "$IMAP_PORT" 20 && wait_port "$LMTP_PORT" 20
}

stop_dovecot() {
  if [ -f "$DIR/run/dovecot/master.pid" ]; then
    timeout 20 doveadm -c "$DIR/dovecot.conf" stop </dev/null >/dev/null 2>&1 || true
  fi
  wait_closed "$IMAP_PORT" 20
}

start_postfix() {
  port_open "$SMTP_PORT" && return 0
  timeout 60 postfix -c "$DIR/postfix" start </dev/null >/dev/null 2>&1 \
    || { say "postfix start failed: $(tail -5 "$DIR/log/postfix.log" 2>/dev/null)"; return 1; }
  wait_port "$SMTP_PORT" 30
}

stop_postfix() {
  timeout 30 postfix -c "$DIR/postfix" stop </dev/null >/dev/null 2>&1 || true
  wait_closed "$SMTP_PORT" 20
}

print_info() {
  echo "MAIL_DIR=$DIR"
  echo "IMAP_PORT=$IMAP_PORT"
  echo "SMTP_PORT=$SMTP_PORT"
  echo "PASSWORD=$PASSWORD"
  echo "USERS=$USERS"
}

case "$ACTION" in
  start)
    install_packages
    if ! port_open "$IMAP_PORT" || ! port_open "$SMTP_PORT"; then
      write_config
    fi
    start_dovecot
    start_postfix
    print_info
    ;;
  restart-imap)
    stop_dovecot
    start_dovecot
    ;;
  stop)
    stop_postfix
    stop_dovecot
    ;;
  status)
    port_open "$IMAP_PORT" && port_open "$SMTP_PORT" && print_info
    ;;
  *)
    say "unknown action $ACTION (start, stop, restart-imap, status)"; exit 2
    ;;
esac
