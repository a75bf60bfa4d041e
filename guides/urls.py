from django.urls import path

from guides.diagnose import views as diagnose
from guides.feedback import views as feedback
from guides.pages import views as pages
from guides.search import views as search

app_name = "guides"

urlpatterns = [
    path("", pages.index, name="index"),
    path("search/", search.search, name="search"),
    path("guides/<slug:slug>/", pages.article, name="article"),
    path("guides/<slug:slug>/causes/<slug:cause_slug>/", pages.cause, name="cause"),
    path("guides/<slug:slug>/diagnose/", diagnose.diagnose, name="diagnose"),
    path("guides/<slug:slug>/diagnose/feedback/", diagnose.diagnose_feedback, name="diagnose_feedback"),
    # "Was this page helpful?": the vote form (GET, records nothing), where it posts, and the thank-you page.
    path("guides/<slug:slug>/was-this-helpful/", feedback.helpful, name="helpful"),
    path("guides/<slug:slug>/was-this-helpful/feedback/", feedback.helpful_feedback, name="helpful_feedback"),
    path("guides/<slug:slug>/was-this-helpful/thanks/", feedback.helpful_thanks, name="helpful_thanks"),
    path("guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/", feedback.helpful, name="cause_helpful"),
    path(
        "guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/feedback/",
        feedback.helpful_feedback,
        name="cause_helpful_feedback",
    ),
    path(
        "guides/<slug:slug>/causes/<slug:cause_slug>/was-this-helpful/thanks/",
        feedback.helpful_thanks,
        name="cause_helpful_thanks",
    ),
]
