from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("<str:token>/", views.overview, name="overview"),
    path("<str:token>/steps/<slug:step_id>/", views.step_page, name="step"),
    path("<str:token>/steps/<slug:step_id>/skip/", views.step_skip, name="step_skip"),
    path("<str:token>/steps/<slug:step_id>/document.pdf", views.step_pdf, name="step_pdf"),
    path("<str:token>/steps/<slug:step_id>/document-page-<int:page>.png", views.step_pdf_page, name="step_pdf_page"),
    path("<str:token>/steps/<slug:step_id>/signed.pdf", views.signed_pdf, name="signed_pdf"),
    path("<str:token>/finish/", views.finish, name="finish"),
    path("<str:token>/thanks/", views.thanks, name="thanks"),
]
