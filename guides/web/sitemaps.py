from django.contrib.sitemaps import Sitemap

from guides.models import Cause, Guide
from guides.web import site_address


class SiteSitemap(Sitemap):
    """Addresses on the configured site (DJANGO_SITE_URL), whatever host and scheme the request came with."""

    def get_protocol(self, protocol=None):
        return site_address.scheme()

    def get_domain(self, site=None):
        return site_address.domain()


class GuideSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Guide.objects.published()

    def lastmod(self, guide):
        return guide.updated_at


class CauseSitemap(SiteSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Cause.objects.filter(guide__published=True).select_related("guide").order_by("guide__slug", "order")

    def lastmod(self, cause):
        return cause.updated_at
