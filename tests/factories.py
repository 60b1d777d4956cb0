import factory
from django.contrib.auth import get_user_model

from apps.accounts.models import Membership, Team
from apps.assessments import services
from apps.assessments.models import Assessment


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pw-for-tests-123")


def member(team: Team, role: str, **user_fields):
    user = UserFactory(**user_fields)
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
    return user


def assessment_with_matrix(*, team, user, hypotheses=("H one", "H two", "H three"), evidence=5) -> Assessment:
    assessment = services.assessment_create(team=team, user=user, title="Test assessment", question="Which?")
    for statement in hypotheses:
        services.hypothesis_create(assessment=assessment, user=user, statement=statement)
    services.evidence_add(
        assessment=assessment,
        user=user,
        items=[
            {"summary": f"Evidence item {i + 1}", "credibility": "medium", "relevance": "medium"}
            for i in range(evidence)
        ],
        via="test",
    )
    assessment.refresh_from_db()
    return assessment
