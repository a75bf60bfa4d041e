"""deploy/nginx.conf pointed at a scratch site, for `make bench-load` and tests/test_deploy.py."""

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def nginx_path() -> str | None:
    """nginx lives in /usr/sbin, which is not on every user's PATH."""
    candidates = (os.environ.get("NGINX_PATH"), shutil.which("nginx"), "/usr/sbin/nginx")
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def nginx_config(port: int, app_port: int, static_root: Path) -> str:
    """The production configuration, listening on `port` in front of gunicorn on `app_port`.

    Raises LookupError when a line it changes is no longer in deploy/nginx.conf.
    """
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in {
        "listen 80;": f"listen 127.0.0.1:{port};",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "alias /srv/troubleshooter/staticfiles/;": f"alias {static_root}/;",
    }.items():
        if old not in config:
            raise LookupError(f"deploy/nginx.conf no longer contains {old!r}")
        config = config.replace(old, new)
    return config
