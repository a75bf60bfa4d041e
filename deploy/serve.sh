#!/usr/bin/env bash
# `make serve`: the site with production settings (debug off, hashed and compressed static files)
# under gunicorn, on SQLite, at http://127.0.0.1:8000/ (HOST and PORT from the environment).
# Plain HTTP for trying it out locally; in production put nginx in front (deploy/nginx.conf).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

export DJANGO_DEBUG=false
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  # Secrets come only from the environment: never write one to a file here.
  DJANGO_SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
  echo "DJANGO_SECRET_KEY is not set, so this run uses a throwaway key: sessions and sign-ins end when it stops." >&2
  echo "Set DJANGO_SECRET_KEY in the environment to keep them." >&2
fi
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
# Canonical links and the sitemap name the address this run answers on.
export DJANGO_SITE_URL=${DJANGO_SITE_URL:-http://$HOST:$PORT}
# No TLS in front of a local run: answer plain http instead of redirecting to https.
export DJANGO_SECURE_SSL_REDIRECT=${DJANGO_SECURE_SSL_REDIRECT:-false}
export GUNICORN_BIND=${GUNICORN_BIND:-$HOST:$PORT}

"$PY" manage.py collectstatic --no-input -v0
"$PY" manage.py migrate --no-input
"$PY" manage.py load_guides
echo "Serving with production settings on http://$GUNICORN_BIND/ (Ctrl-C stops it)." >&2
exec "$PY" -m gunicorn -c deploy/gunicorn.conf.py troubleshooter.wsgi
