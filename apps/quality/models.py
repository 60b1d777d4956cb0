from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.assessments.models import Source
from apps.core.models import BoundedTextField

from .checks import CONCERNS, QUESTIONS


class DeceptionAnswer(models.Model):
    """The team's answer to one deception checklist question about one source, and who gave it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="deception_answers")
    question = models.CharField(max_length=10, choices=[(key, title) for key, (title, _) in QUESTIONS.items()])
    concern = models.CharField(max_length=10, choices=list(CONCERNS.items()))
    note = BoundedTextField(max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.question}: {self.concern}"
