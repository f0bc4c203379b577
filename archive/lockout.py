"""django-axes with two limits: per username and address, and a higher one per address alone."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """Axes compares one count with one limit (AXES_FAILURE_LIMIT). Here a username+address pair
    is locked after LOGIN_FAILURE_LIMIT failures and an address after LOGIN_ADDRESS_FAILURE_LIMIT
    failures over all usernames, so spraying one password over many names is stopped too.

    AXES_LOCKOUT_PARAMETERS lists the pair first and the address second; axes filters the stored
    attempts (within the cool-off) by each. An address over its limit counts as a pair at its
    limit, which is how axes, comparing with AXES_FAILURE_LIMIT, sees it as locked."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(pair, settings.AXES_FAILURE_LIMIT)
        return pair
