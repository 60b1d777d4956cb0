from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class BoundedTextField(models.TextField):
    """A TextField whose max_length is enforced by model validation too (Django's only sizes the widget and
    the form field), so every write path that validates — forms, imports, admin — meets the same limit."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]
