from django.apps import AppConfig
from django.core import checks


class OnboardingConfig(AppConfig):
    name = "onboarding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(text_models_installed)


def text_models_installed(app_configs, **kwargs):
    """The document checks cannot read a line without the text models: say so at start-up,
    not on the first upload."""
    from onboarding.checks.textlines import missing_models

    return [checks.Error(f"text model missing: {problem}", hint="pip install -r requirements.txt (rapidocr)",
                         id="onboarding.E001") for problem in missing_models()]  # fmt: skip
