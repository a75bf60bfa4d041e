import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "troubleshooter.settings")
application = get_wsgi_application()

# A server process: write the troubleshooter's page views from a thread, every few seconds.
from guides.diagnose import page_views  # noqa: E402 (Django is set up only by the line above)

page_views.write_in_background()
