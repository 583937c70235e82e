#!/usr/bin/env bash
# Install or upgrade Zhitong from the checkout in /srv/zhitong, then reload it.
# Run as root from /srv/zhitong after `git pull` (docs/deployment.md):
#     sudo deploy/release.sh
set -euo pipefail
APP="${APP:-/srv/zhitong}"
ENV_FILE="${ENV_FILE:-/etc/zhitong/zhitong.env}"
OWNER_ENV_FILE="${OWNER_ENV_FILE:-/etc/zhitong/owner.env}"
cd "$APP"

# The settings of this deployment, for the commands below as for the services; and the
# database owner's address (PostgreSQL), which the services never see.
set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
# shellcheck disable=SC1090
[ -r "$OWNER_ENV_FILE" ] && . "$OWNER_ENV_FILE"
set +a

step() { printf '\n== %s\n' "$1"; }
as_app() { runuser -u zhitong -- env "PATH=$PATH" "$@"; }

step "dependencies (requirements.lock)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r requirements.lock

step "settings: manage.py check --deploy must find nothing"
as_app .venv/bin/python manage.py check --deploy --fail-level WARNING

# On PostgreSQL the tables belong to an owner role that only this script uses
# (OWNER_DATABASE_URL, in a file only root reads); the services connect as the app role
# of DATABASE_URL, which may read and write rows but not erase the timeline.
step "database: migrate as the owner (also creates the cache table), then grant the app role"
if [ -n "${OWNER_DATABASE_URL:-}" ]; then
  as_app env "DATABASE_URL=$OWNER_DATABASE_URL" .venv/bin/python manage.py migrate --noinput
  as_app env "DATABASE_URL=$OWNER_DATABASE_URL" .venv/bin/python manage.py \
    db_grant_app_role "${APP_DB_ROLE:-zhitong_app}"
else
  # SQLite (or one role for everything): the database's own triggers guard the timeline.
  as_app .venv/bin/python manage.py migrate --noinput
fi

step "static files for whitenoise: collectstatic into STATIC_ROOT"
.venv/bin/python manage.py collectstatic --noinput --verbosity 0

step "systemd units and timers"
install -m 644 deploy/systemd/zhitong-web.service deploy/systemd/zhitong-task@.service \
  deploy/systemd/zhitong-worker.service deploy/systemd/zhitong-backup.service \
  deploy/systemd/*.timer /etc/systemd/system/
systemctl daemon-reload
systemctl enable --now zhitong-figures.timer zhitong-deadlines.timer zhitong-jobs.timer \
  zhitong-digest.timer zhitong-clearsessions.timer zhitong-backup.timer
systemctl enable zhitong-web.service zhitong-worker.service
systemctl restart zhitong-worker.service   # the worker runs the new code

step "web: start, or reload without dropping requests"
if systemctl is-active --quiet zhitong-web.service; then
  systemctl reload zhitong-web.service
else
  systemctl start zhitong-web.service
fi
systemctl --no-pager --lines=0 status zhitong-web.service
