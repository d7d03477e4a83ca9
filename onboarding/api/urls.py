from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("v1/", include("onboarding.api.webhook_urls")),
    path("v1/", include("onboarding.api.signing_urls")),
]
