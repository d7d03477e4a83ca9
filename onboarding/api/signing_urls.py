from django.urls import path

from onboarding.api import signing

urlpatterns = [
    path("signing-sessions", signing.SigningSessionView.as_view(), name="signing-sessions"),
]
