"""Gunicorn settings for Zhitong (see docs/deployment.md).

    gunicorn -c deploy/gunicorn.conf.py zhitong.wsgi

Every value may be changed by an environment variable (in /etc/zhitong/zhitong.env).
"""

import multiprocessing
import os
from pathlib import Path

# The code is imported from the checkout's src/ (as manage.py does), not installed.
pythonpath = str(Path(__file__).resolve().parent.parent / "src")

# Behind nginx on the same machine: listen on loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, one request each. 2 × cores + 1 keeps the cores busy while some
# workers wait on the database. Each worker holds one database connection.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"

# The slowest pages: a statistics page computed live before the first summary run
# (seconds at a city's scale), a ledger export, a 10 MB spreadsheet import. A worker
# stuck longer than this is killed and replaced; nginx waits a little longer (65 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# nginx keeps connections to us open between requests.
keepalive = 5
# Replace each worker after about a thousand requests: bounded memory, no slow leaks.
max_requests = 1000
max_requests_jitter = 100
# Each worker imports the application itself, so `systemctl reload` (HUP) starts workers
# on the new code while the old ones finish their requests: a release without downtime.
preload_app = False

# Which front ends may say "this request came over HTTPS" (X-Forwarded-Proto): the
# proxies of TRUSTED_PROXIES, the same list Django reads X-Forwarded-For from.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1")

# Logs to standard error (the journal). nginx keeps the access log: none here.
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = None
# No runtime control socket: systemd starts, reloads and stops the server.
control_socket_disable = True

raw_env = ["DJANGO_SETTINGS_MODULE=zhitong.settings"]
