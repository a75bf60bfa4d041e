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
]
