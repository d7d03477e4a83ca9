from django.urls import path

from portal import access, views

app_name = "portal"

# A link's token is read only by `enter`; every page after it is addressed by the link's slot.
urlpatterns = [
    path("p/<slug:slot>/", views.overview, name="overview"),
    path("p/<slug:slot>/steps/<slug:step_id>/", views.step_page, name="step"),
    path("p/<slug:slot>/steps/<slug:step_id>/skip/", views.step_skip, name="step_skip"),
    path("p/<slug:slot>/steps/<slug:step_id>/document.pdf", views.step_pdf, name="step_pdf"),
    path("p/<slug:slot>/steps/<slug:step_id>/document-page-<int:page>.png", views.step_pdf_page, name="step_pdf_page"),
    path("p/<slug:slot>/steps/<slug:step_id>/signed.pdf", views.signed_pdf, name="signed_pdf"),
    path("p/<slug:slot>/finish/", views.finish, name="finish"),
    path("p/<slug:slot>/thanks/", views.thanks, name="thanks"),
    path("<str:token>/", access.enter, name="enter"),
]
