from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:inbox", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("onboarding.api.urls")),
    path("s/", include("portal.urls")),
    path("dashboard/", include("dashboard.urls")),
]

# Problem-details JSON under /api/, Django's pages elsewhere.
handler404 = "onboarding.api.errors.not_found"
handler500 = "onboarding.api.errors.server_error"
