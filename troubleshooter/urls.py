from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from guides.web import views
from guides.web.sitemaps import CauseSitemap, GuideSitemap

sitemaps = {"guides": GuideSitemap, "causes": CauseSitemap}

urlpatterns = [
    path("", include("guides.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Read only: GET and HEAD, anything else 405 (no CSRF token asked of a request that can change nothing).
    path("sitemap.xml", csrf_exempt(require_safe(sitemap)), {"sitemaps": sitemaps}, name="sitemap"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
]

handler400 = "guides.web.views.bad_request"
handler404 = "guides.web.views.page_not_found"
handler500 = "guides.web.views.server_error"
