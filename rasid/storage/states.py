"""The alert's states and the only transitions between them, in one table.

    pending --claim--> sending --sent/carried/recovered--> sent
                       sending --failed/postponed/released--> pending
                       sending --gave up--> dead --retried--> pending

Every statement of the outbox that changes `alerts.status` is written from a transition of this table
(`source` in its WHERE, `target` in its SET), so no other change of state can be written."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertState(StrEnum):
    PENDING = "pending"  # due at `next_attempt_at`
    SENDING = "sending"  # claimed by `claim_token` until `next_attempt_at` (its lease)
    SENT = "sent"  # delivered (or carried inside another alert's message: `sent_with`)
    DEAD = "dead"  # given up after `alerts.give_up_after`; back to pending only by hand


# Plain strings, as stored and as the drivers bind them.
PENDING, SENDING, SENT, DEAD = (s.value for s in AlertState)


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    meaning: str


CLAIM = Transition("claim", PENDING, SENDING, "a dispatcher takes a due alert: attempt counted, lease set")
DELIVERED = Transition("sent", SENDING, SENT, "its message reached the channel")
CARRIED = Transition("carried", SENDING, SENT, "it rode inside an earlier alert's message (sent_with)")
FAILED = Transition("failed", SENDING, PENDING, "the send failed: tried again at its retry time")
GAVE_UP = Transition("gave up", SENDING, DEAD, "the send failed and no retry is due any more")
POSTPONED = Transition("postponed", SENDING, PENDING, "claimed, not tried: attempt not counted")
RELEASED = Transition("released", SENDING, PENDING, "its dispatcher died or its lease ran out")
RECOVERED = Transition("recovered", SENDING, SENT, "a dead dispatcher's recorded send, marked sent")
RETRIED = Transition("retried", DEAD, PENDING, "a dead letter sent again by hand (rasid alerts retry)")

TRANSITIONS = (CLAIM, DELIVERED, CARRIED, FAILED, GAVE_UP, POSTPONED, RELEASED, RECOVERED, RETRIED)


def allowed(source: str, target: str) -> bool:
    """Whether the table holds a transition from `source` to `target`."""
    return any(t.source == source and t.target == target for t in TRANSITIONS)
