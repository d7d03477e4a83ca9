"""Seed a demo organization and print how to log in, call the API and open a link.

Safe to run again: the organization, reviewer and workflow are reused; each
run sets a new reviewer password, issues a new API key and opens a new session
(keys and links are shown once and never stored in clear).
"""

import json
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from onboarding import demo, services
from onboarding.actors import Actor
from onboarding.models import Organization, Role, Scope

DEMO_SLUG = "demo"
DEMO_USERNAME = "reviewer"


class Command(BaseCommand):
    help = "Create a demo organization, reviewer, API key, workflow and session; print them."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object for scripts.")

    def handle(self, *args, **options):
        result = self.seed()
        # After the commit: the cases' checks run as each of their services commits.
        cases = demo.seed_cases(
            Organization.objects.get(slug=DEMO_SLUG), get_user_model().objects.get(username=DEMO_USERNAME)
        )
        result["cases"] = {reference: str(session.id) for reference, session in cases.items()}
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            "Threshold demo is ready.\n"
            f"  Dashboard: /dashboard/  login {DEMO_USERNAME} / {result['password']}\n"
            f"  API key (all scopes, shown once): {result['api_key']}\n"
            f"  Applicant link for session {result['session_id']}:\n    {result['link']}\n"
            f"  Cases in every inbox: {', '.join(f'{s.name} ({s.status})' for s in cases.values())}\n"
        )

    @transaction.atomic
    def seed(self):
        organization = Organization.objects.filter(slug=DEMO_SLUG).first() or services.organization_create(
            name="Demo Company", slug=DEMO_SLUG, support_contact="compliance@demo.example"
        )
        actor = Actor.system(organization.id)
        password = secrets.token_urlsafe(12)
        services.member_set(actor=actor, username=DEMO_USERNAME, role=Role.ADMIN, email="reviewer@demo.example")
        user = get_user_model().objects.get(username=DEMO_USERNAME)
        user.set_password(password)
        user.save(update_fields=["password"])
        _, api_key = services.api_key_create(actor=actor, name="demo", scopes=list(Scope.values))
        workflow = demo.kyc_workflow(organization)
        session = services.session_create(
            actor=actor,
            workflow_id=workflow.id,
            name="Anna Eriksson",
            reference_id="demo-customer-1",
            input={
                "identity": {
                    "first_name": "Anna Maria",
                    "last_name": "Eriksson",
                    "birth_date": "1974-08-12",
                    "nationality": "SE",
                },
                "address": {"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
            },
        )
        (link,) = services.links_generate(actor=actor, session_id=session.id)
        return {
            "username": DEMO_USERNAME,
            "password": password,
            "api_key": api_key,
            "link": link.url,
            "session_id": str(session.id),
        }
