from django.core.management.base import BaseCommand, CommandError

from onboarding.audit import audit_verify, current_head
from onboarding.models import Organization


class Command(BaseCommand):
    help = (
        "Verify the keyed audit chain of every organization (or of the given slugs). Exits with status 1 "
        "when a chain is broken, which is also logged and marked on the dashboard for admins."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="organization slugs (default: all)")

    def handle(self, *args, slugs, **options):
        organizations = Organization.objects.order_by("slug")
        if slugs:
            organizations = organizations.filter(slug__in=slugs)
            missing = set(slugs) - set(organizations.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No organization with slug {', '.join(sorted(missing))}.")
        broken = []
        for organization in organizations:
            ok, sequence = audit_verify(organization)
            if ok:
                self.stdout.write(f"{organization.slug}: intact ({current_head(organization)[0]} events)")
            else:
                broken.append(organization.slug)
                self.stdout.write(f"{organization.slug}: BROKEN at event {sequence}")
        if broken:
            raise CommandError(f"Audit chain broken for: {', '.join(broken)}", returncode=1)
