from django.core.management.base import BaseCommand, CommandError

from onboarding.actors import Actor
from onboarding.errors import ValidationFailed
from onboarding.models import Environment, Organization
from onboarding.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization and print it on standard output. It is shown this once: "
        "only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", help="The organization's slug.")
        parser.add_argument(
            "--scopes",
            required=True,
            nargs="+",
            help="Scopes, comma- or space-separated (e.g. sessions:read,sessions:write).",
        )
        parser.add_argument("--environment", default=Environment.LIVE, help="live (default) or sandbox.")
        parser.add_argument("--name", default="API key", help="What the key is for, as the dashboard lists it.")

    def handle(self, *args, organization, scopes, environment, name, **options):
        found = Organization.objects.filter(slug=organization).first()
        if found is None:
            raise CommandError(f"No organization with slug {organization!r}.")
        scopes = [scope for item in scopes for scope in item.split(",") if scope]
        try:
            _, plain = api_key_create(actor=Actor.system(found.id), name=name, scopes=scopes, environment=environment)
        except ValidationFailed as exc:
            raise CommandError(" ".join(message for messages in exc.errors.values() for message in messages)) from None
        # The key alone on standard output (KEY=$(manage.py create_api_key ...)); the notice on standard error.
        self.stdout.write(plain)
        self.stderr.write("Store this key now: it is shown once and cannot be read again.")
