import time

from django.core.management.base import BaseCommand, CommandError

from onboarding.models import Organization
from onboarding.watchlist import BATCH_SIZE, load_file


class Command(BaseCommand):
    help = (
        "Load a watchlist (OpenSanctions targets.simple.csv or FollowTheMoney JSON lines) into an organization. "
        "Incremental: entries are upserted by entity id and entries missing from the file are marked removed."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the dataset version here, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organization", help="Organization slug (optional when only one exists).")
        parser.add_argument("--dataset", help="Dataset name (default: the file name without extension).")
        parser.add_argument("--version", dest="dataset_version", help="Dataset version (default: file time).")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def _organization(self, slug):
        if slug:
            organization = Organization.objects.filter(slug=slug).first()
            if organization is None:
                raise CommandError(f"No organization with slug {slug!r}.")
            return organization
        organizations = list(Organization.objects.all()[:2])
        if len(organizations) != 1:
            raise CommandError("Pass --organization SLUG: there is not exactly one organization.")
        return organizations[0]

    def handle(self, *args, **options):
        organization = self._organization(options["organization"])
        started = time.monotonic()
        try:
            dataset, stats = load_file(
                organization,
                options["file"],
                dataset_name=options["dataset"],
                version=options["dataset_version"],
                batch_size=options["batch_size"],
            )
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CommandError(f"Cannot load {options['file']}: {exc}") from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{dataset.name} {dataset.version}: {stats['read']} read, {stats['created']} new, "
            f"{stats['updated']} updated, {stats['removed']} removed; {dataset.entry_count} listed "
            f"({elapsed:.1f} s)"
        )
