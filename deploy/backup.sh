#!/usr/bin/env bash
# Daily backup and restore drill (docs/backup.md), run by zhitong-backup.service as root:
# the backup is made online with the database owner's role (PostgreSQL: it must be able
# to create the drill's scratch database), drilled at once, and old generations pruned.
set -euo pipefail
APP="${APP:-/srv/zhitong}"
ENV_FILE="${ENV_FILE:-/etc/zhitong/zhitong.env}"
OWNER_ENV_FILE="${OWNER_ENV_FILE:-/etc/zhitong/owner.env}"
BACKUP_DIR="${BACKUP_DIR:-/var/lib/zhitong/backups}"
KEEP="${BACKUP_KEEP:-14}"
cd "$APP"

set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
# shellcheck disable=SC1090
[ -r "$OWNER_ENV_FILE" ] && . "$OWNER_ENV_FILE"
set +a
if [ -n "${OWNER_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$OWNER_DATABASE_URL"
fi

as_app() { runuser -u zhitong -- env "PATH=$PATH" "$@"; }

install -d -o zhitong -g zhitong -m 750 "$BACKUP_DIR"
target="$BACKUP_DIR/zhitong-$(date +%Y%m%d-%H%M%S)"
as_app .venv/bin/python manage.py backup_create --to "$target"
as_app .venv/bin/python manage.py backup_drill "$target"

# Keep the newest $KEEP generations here; copy them off the machine as well (docs/backup.md).
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'zhitong-*' -printf '%f\n' \
  | sort -r | tail -n +"$((KEEP + 1))" \
  | while read -r old; do rm -rf -- "${BACKUP_DIR:?}/$old"; done
