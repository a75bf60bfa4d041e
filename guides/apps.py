from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = "Content"  # the admin's breadcrumb reads Content, Guides; not Guides, Guides

    def ready(self):
        from guides import signals  # noqa: F401  (connects cache invalidation)
        from guides.versioning import register_content_models

        register_content_models()
