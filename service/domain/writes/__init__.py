"""Every change the API can make, each one ``fn(session, *, actor, ...) -> Result``.

The order inside each function is always the same: check the role (raises
:class:`service.auth.Forbidden`), validate everything and look up what validation
needs, and only when there are no user errors add rows. A rejected call therefore adds
nothing to the session. An accepted one also adds an ``audit_log`` row naming the
actor, in the same transaction. Nothing here commits: the caller does, once.

Uniqueness races (two proposals for the same partner and district, two partners with
the same name) are settled by the database: the insert runs inside a SAVEPOINT and an
``IntegrityError`` from the unique index becomes a ``DUPLICATE`` user error while the
caller's transaction carries on.
"""

from service.domain.writes.commitments import end_commitment, extend_commitment
from service.domain.writes.common import (
    DESCRIPTION_MAX,
    MODEL_VERSION_MAX,
    NOTES_MAX,
    REASON_MAX,
    SHORT_TEXT_MAX,
    Result,
)
from service.domain.writes.feedback import record_recommendation_feedback
from service.domain.writes.partners import (
    PARTNER_FIELDS,
    PARTNER_NAME_CONSTRAINT,
    archive_partner,
    create_partner,
    update_partner,
)
from service.domain.writes.partnerships import (
    OPEN_PAIR_INDEX,
    propose_partnership,
    update_partnership_status,
)

__all__ = [
    "DESCRIPTION_MAX",
    "MODEL_VERSION_MAX",
    "NOTES_MAX",
    "OPEN_PAIR_INDEX",
    "PARTNER_FIELDS",
    "PARTNER_NAME_CONSTRAINT",
    "REASON_MAX",
    "SHORT_TEXT_MAX",
    "Result",
    "archive_partner",
    "create_partner",
    "end_commitment",
    "extend_commitment",
    "propose_partnership",
    "record_recommendation_feedback",
    "update_partner",
    "update_partnership_status",
]
