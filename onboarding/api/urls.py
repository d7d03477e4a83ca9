from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from onboarding.api import schema  # noqa: F401  (registers the OpenAPI extensions)
from onboarding.api.errors import unknown_endpoint

app_name = "api"
PUBLIC = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    # The schema and its viewer are public: they describe the API, not anyone's data.
    path("v1/schema", SpectacularAPIView.as_view(**PUBLIC), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema", **PUBLIC), name="docs"),
    path("v1/", include("onboarding.api.webhook_urls")),
    path("v1/", include("onboarding.api.signing_urls")),
    # Last: any other /api/ path is a problem-details 404, whatever DEBUG says.
    re_path(r"^.*$", unknown_endpoint),
]
