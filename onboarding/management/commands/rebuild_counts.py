from django.core.management.base import BaseCommand, CommandError

from onboarding.models import Organization
from onboarding.services.common import check_results_rebuild, session_counts_rebuild
from onboarding.services.daily_counts import daily_counts_rebuild


class Command(BaseCommand):
    help = (
        "Count the sessions of every organization (or of the given slugs) afresh, per status and per day "
        "for the overview, and each session's check results: after rows were written outside the services (a bulk load, a restored backup)."
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
        for organization in organizations:
            session_counts_rebuild(organization.id)
            check_results_rebuild(organization.id)
            daily_counts_rebuild(organization.id)
            self.stdout.write(f"{organization.slug}: counts rebuilt")
