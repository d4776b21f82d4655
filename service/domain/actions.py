"""What callers may do through the domain, and the role each action needs: the one role table.

The domain checks it (:func:`authorize`, first thing in every write) and the GraphQL layer
reads the same table to put a permission class on each field
(:func:`schema.permissions.permission_for`), so a role can never differ between the two.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from service.auth import Role, require

if TYPE_CHECKING:
    from service.auth import Principal


class Action(enum.StrEnum):
    """A domain action that needs a role: the writes, model administration, the audit log."""

    CREATE_PARTNER = "create_partner"
    UPDATE_PARTNER = "update_partner"
    ARCHIVE_PARTNER = "archive_partner"
    PROPOSE_PARTNERSHIP = "propose_partnership"
    UPDATE_PARTNERSHIP_STATUS = "update_partnership_status"
    RECORD_RECOMMENDATION_FEEDBACK = "record_recommendation_feedback"
    EXTEND_COMMITMENT = "extend_commitment"
    END_COMMITMENT = "end_commitment"
    TRAIN_MODEL = "train_model"
    ACTIVATE_MODEL_VERSION = "activate_model_version"
    READ_AUDIT_LOG = "read_audit_log"

    @property
    def audit_name(self) -> str:
        """Name the audit log records the action under (stored data, so never renamed)."""
        head, *rest = self.value.split("_")
        return head + "".join(word.capitalize() for word in rest)


REQUIRED_ROLE: Mapping[Action, Role] = MappingProxyType(
    {
        Action.CREATE_PARTNER: Role.PLANNER,
        Action.UPDATE_PARTNER: Role.PLANNER,
        Action.ARCHIVE_PARTNER: Role.PLANNER,
        Action.PROPOSE_PARTNERSHIP: Role.PLANNER,
        Action.UPDATE_PARTNERSHIP_STATUS: Role.PLANNER,
        Action.RECORD_RECOMMENDATION_FEEDBACK: Role.PLANNER,
        Action.EXTEND_COMMITMENT: Role.PLANNER,
        Action.END_COMMITMENT: Role.PLANNER,
        Action.TRAIN_MODEL: Role.ADMIN,
        Action.ACTIVATE_MODEL_VERSION: Role.ADMIN,
        Action.READ_AUDIT_LOG: Role.ADMIN,
    }
)


def authorize(actor: Principal | None, action: Action) -> Principal:
    """Return ``actor`` when its role allows ``action``.

    Raises :class:`service.auth.Unauthenticated` without an actor and
    :class:`service.auth.Forbidden` when the role is too low.
    """
    return require(actor, REQUIRED_ROLE[action])
