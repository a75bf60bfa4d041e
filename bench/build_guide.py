"""`make bench-editor`: how many page loads, clicks and dropdown picks an editor spends building a guide.

Serves a throwaway site (production settings on a scratch SQLite database, port 8716 unless
BENCH_EDITOR_PORT says otherwise), signs in as a new member of the Editors group in Debian's Chromium, and
builds and publishes the WhatsApp guide of bench/whatsapp_guide.py through the guide's workspace, as the
browser test does (bench/editor_driver.py defines what counts). Prints the figures, step by step, against
issue 16's budget; exits 1 when over it.
"""

import os
import shutil
import sys
import tempfile

from bench.scratch_site import set_up

PORT = int(os.environ.get("BENCH_EDITOR_PORT", "8716"))
SCREENSHOT = os.path.join(tempfile.gettempdir(), "bench-editor-failure.png")
EDITOR, PASSWORD = "bench-editor", "a-long-bench-editor-password"


def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("No Chromium found: install Debian's chromium package (or set CHROMIUM_PATH).")
    return path


def make_editor() -> None:
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(EDITOR, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))


def main() -> int:
    set_up("bench-editor-")
    from django.conf import settings
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from bench.editor_driver import build_guide, report
    from bench.whatsapp_guide import GUIDE

    # Plain HTTP on this machine: the production settings' secure-only cookies would never come back.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    make_editor()
    server = LiveServer(f"localhost:{PORT}")
    server._live_server_modified_settings.enable()  # lets the server's host in, as the test's live server does
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.set_default_timeout(15_000)
            try:
                tally = build_guide(page, server.url, EDITOR, PASSWORD, GUIDE)
            except Exception:
                page.screenshot(path=SCREENSHOT, full_page=True)
                print(f"Stopped at {page.url}; the page is in {SCREENSHOT}.", file=sys.stderr)
                raise
            browser.close()
    finally:
        server.stop()
    print(report(tally))
    return 0 if tally.within_budget() else 1


if __name__ == "__main__":
    sys.exit(main())
