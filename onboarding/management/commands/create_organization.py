from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from onboarding.models import Organization
from onboarding.services import organization_create


class Command(BaseCommand):
    help = "Create an organization (a tenant). Its API keys come from create_api_key, its users from the dashboard."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--slug", help="Short unique name used by other commands (default: from the name).")
        parser.add_argument("--support-contact", default="", help="Whom blocked applicants should contact.")

    def handle(self, *args, name, slug, support_contact, **options):
        slug = slug or slugify(name)
        if not name.strip() or not slug:
            raise CommandError("Give the organization a name.")
        if Organization.objects.filter(slug=slug).exists():
            raise CommandError(f"An organization with slug {slug!r} already exists.")
        organization = organization_create(name=name.strip(), slug=slug, support_contact=support_contact)
        self.stdout.write(f"Created organization {organization.name!r}: slug {organization.slug}, id {organization.id}")
