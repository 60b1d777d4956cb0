"""ACH writes, one module per family: ratings and the scoring settings; stated probabilities and resolution."""

from .calibration import assessment_resolve, assessment_unresolve, stated_probabilities_set
from .ratings import likelihoods_set, rating_set, ratings_bulk_create, ratings_set_many, reliability_set

__all__ = [
    "assessment_resolve",
    "assessment_unresolve",
    "likelihoods_set",
    "rating_set",
    "ratings_bulk_create",
    "ratings_set_many",
    "reliability_set",
    "stated_probabilities_set",
]
