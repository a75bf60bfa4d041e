from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("guides/<slug:slug>/", views.article, name="article"),
    path("guides/<slug:slug>/causes/<slug:cause_slug>/", views.cause, name="cause"),
    path("guides/<slug:slug>/diagnose/", views.diagnose, name="diagnose"),
    path("guides/<slug:slug>/diagnose/feedback/", views.diagnose_feedback, name="diagnose_feedback"),
    # "Was this page helpful?": the vote form (GET, records nothing), where it posts, and the thank-you page.
    path("guides/<slug:slug>/was-this-helpful/", views.helpful, name="helpful"),
    path("guides/<slug:slug>/was-this-helpful/feedback/", views.helpful_feedback, name="helpful_feedback"),
    path("guides/<slug:slug>/was-this-helpful/thanks/", views.helpful_thanks, name="helpful_thanks"),
    path("guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/", views.helpful, name="cause_helpful"),
    path(
        "guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/feedback/",
        views.helpful_feedback,
        name="cause_helpful_feedback",
    ),
    path(
        "guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/thanks/",
        views.helpful_thanks,
        name="cause_helpful_thanks",
    ),
]
