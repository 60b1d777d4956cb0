from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """The supervisor's review view and the assessment report.

    It reads every technique (read-only, through their selectors and the snapshot's results), so it sits
    above them: nothing imports it.
    """

    name = "apps.reviews"
