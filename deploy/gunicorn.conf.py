"""Gunicorn settings for production, behind nginx (deploy/nginx.conf) on the same machine.

Start it from anywhere: ``gunicorn -c deploy/gunicorn.conf.py troubleshooter.wsgi``. Secrets and
the site's own settings come from the environment (see README, "Running in production"); only
these two knobs are gunicorn's:

- GUNICORN_BIND: the address to listen on, default 127.0.0.1:8000.
- GUNICORN_WORKERS: how many worker processes, default 2 x cores + 1.
"""

import os
from pathlib import Path

# Run from the project, whatever directory the process manager starts us in.
chdir = str(Path(__file__).resolve().parent.parent)

# Loopback only: nginx is the one thing that talks to gunicorn. Django trusts X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER), so nobody but the proxy may reach this port.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time each, the simplest model and the fastest for pages served
# in a few milliseconds. They are only safe because nginx reads the whole request and the whole
# response for them: a phone on a slow network (or a script that sends half a request and
# waits) ties up an nginx connection, never a worker. Without the proxy, two such connections
# hold two workers for `timeout` seconds and /healthz waits that long.
worker_class = "sync"
# The classic 2 x cores + 1: while one worker waits on the database another can use the core.
# sched_getaffinity counts the cores this process may use (a container's share, not the host's).
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * len(os.sched_getaffinity(0)) + 1))

# A request that takes longer than this is stuck (pages take milliseconds; nginx gives up at the
# same time, see proxy_read_timeout): the worker is killed and replaced.
timeout = 30
# On a deploy or restart (SIGHUP, SIGTERM) workers finish the request in hand for up to this long.
graceful_timeout = 20
# Replace each worker after 100,000 to 150,000 requests, so a slow leak in any library never grows
# for long. A new worker loads Django afresh (about 0.4 s of CPU during which it serves nothing) and
# starts cold: the troubleshooter's snapshot, the search index and its last pages and screens are
# read again. Under load a worker serves over a thousand requests a second; at 10,000 it was
# replaced every few seconds and those restarts were the long tail of bench-load (search's p99 at
# 6 times its p50). A wide jitter: workers serve equal shares, so with a narrow one they restart
# together and nobody answers meanwhile.
max_requests = 100_000
max_requests_jitter = 50_000

# Only the local proxy may say which scheme the visitor used (X-Forwarded-Proto) and who they are.
forwarded_allow_ips = "127.0.0.1,::1"

# Logs to stdout and stderr, for the process manager (systemd's journal, docker logs) to keep.
accesslog = "-"
errorlog = "-"
# The visitor's address as nginx forwarded it (the socket's peer is always the proxy), and the
# time each request took in milliseconds.
access_log_format = '%({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'

# gunicorn 25+ opens a control socket at one path per user, which a second instance on the same
# machine (the tests, the load bench, the next release during a deploy) takes over from the first.
# Signals do what the site needs: HUP reloads the workers, TERM stops gracefully.
control_socket_disable = True
