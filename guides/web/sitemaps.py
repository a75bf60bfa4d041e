from django.contrib.sitemaps import Sitemap

from guides.models import Cause, Guide


class GuideSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Guide.objects.published()

    def lastmod(self, guide):
        return guide.updated_at


class CauseSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Cause.objects.filter(guide__published=True).select_related("guide").order_by("guide__slug", "order")

    def lastmod(self, cause):
        return cause.updated_at
