import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Membership, Role, Team
from apps.accounts.services import membership_ensure
from apps.assessments.exchange import assessment_import
from apps.assessments.models import Assessment

DEMO_PASSWORD = "workbench-demo"
DEMO_TEAM = "Maghreb Desk"
OTHER_TEAM = "Sahel Cell"
DEMO_USERS = [
    # username, team, role
    ("alice", DEMO_TEAM, Role.ANALYST),
    ("bob", DEMO_TEAM, Role.ANALYST),
    ("carol", DEMO_TEAM, Role.ANALYST),
    ("sam", DEMO_TEAM, Role.SUPERVISOR),
    ("tess", DEMO_TEAM, Role.TEAM_ADMIN),
    ("oscar", OTHER_TEAM, Role.ANALYST),
    ("alice", OTHER_TEAM, Role.ANALYST),
]
DEMO_FILES = ["aqim.json"]


class Command(BaseCommand):
    help = "Create the demo teams and accounts and load the AQIM demo assessment (idempotent)."

    def handle(self, *args, **options):
        # Commit first: the rescoring and team notifications run on commit, and the accounts are
        # printed after their output, where a new user sees them.
        with transaction.atomic():
            loaded = self._load()
        for assessment in loaded:
            self.stdout.write(f"Loaded demo assessment {assessment.pk}: {assessment.title}")
        if not loaded:
            self.stdout.write("Demo data already loaded; nothing to do.")
        self.stdout.write(f"\nDemo accounts (password “{DEMO_PASSWORD}”):")
        for membership in Membership.objects.select_related("user", "team").order_by("team__name", "user__username"):
            self.stdout.write(f"  {membership.user.username:<8} {membership.get_role_display():<11} {membership.team}")
        self.stdout.write("  admin    site admin  (Django admin at /admin/)")

    def _load(self) -> list[Assessment]:
        user_model = get_user_model()
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in (DEMO_TEAM, OTHER_TEAM)}
        for username, team_name, role in DEMO_USERS:
            user, _ = membership_ensure(team=teams[team_name], username=username, role=role)
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.email = f"{username}@example.org"
                user.save()
        admin, created = user_model.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        loaded = []
        for name in DEMO_FILES:
            path = settings.BASE_DIR / "fixtures" / name
            data = json.loads(path.read_text())
            if Assessment.objects.filter(team=teams[DEMO_TEAM], title=data["title"]).exists():
                continue
            assessment = assessment_import(data=data, team=teams[DEMO_TEAM], create_analysts=True)
            loaded.append(assessment)
        return loaded
