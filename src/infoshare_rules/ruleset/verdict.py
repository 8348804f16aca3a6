"""The verdicts a decision can reach."""

from __future__ import annotations

import enum


class Verdict(str, enum.Enum):
    """What the guide says to do with the information.

    SHARE             you can share (flowchart "You can share").
    MUST_SHARE        a statutory duty or court order requires you to share (4.23-4.24).
    DO_NOT_SHARE      do not share (flowchart "Do not share").
    SEEK_CONSENT      seek consent first: it is the first option and nothing rules it out (2, 3.9, 3.16).
    SEEK_ADVICE       seek advice before deciding (2, 3.19, 4.26-4.27, flowchart).
    UNDETERMINED      the facts given are not enough; ``Decision.questions`` says what to find out.
    """

    SHARE = "share"
    MUST_SHARE = "must_share"
    DO_NOT_SHARE = "do_not_share"
    SEEK_CONSENT = "seek_consent"
    SEEK_ADVICE = "seek_advice"
    UNDETERMINED = "undetermined"

    def __str__(self) -> str:
        return self.value

