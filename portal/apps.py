import logging

from django.apps import AppConfig

# Django's loggers that write request paths (and so portal tokens) on refusals.
PATH_LOGGERS = ("django.request", "django.security.csrf", "django.server")


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self):
        from portal.security import TokenRedactingFilter

        for name in PATH_LOGGERS:
            logging.getLogger(name).addFilter(TokenRedactingFilter())
