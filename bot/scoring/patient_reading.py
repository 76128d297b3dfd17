"""Each learner turn read for the patient as the scorer reads it, so the patient is hurt by
what the score report calls a dismissal and warmed by what it calls empathy (docs/scoring.md,
"One reading for patient and report").
"""
from __future__ import annotations

from typing import List

from bot.conversation import Interview, TurnContext, plain_act
from bot.scoring.dismissal import dismissal_act, reads_as_reflection
from bot.scoring.style import empathic_phrase


def patient_context(interview: Interview) -> List[TurnContext]:
    """The engine's context for an interview (Interview.context) with each learner turn's
    dismissal read by the scorer's reader (its red-flag rule too) and its empathic wording
    by the scorer's lexicon."""
    out: List[TurnContext] = []
    checked = False
    for here, acts in zip(interview.context(), interview.turns):
        if acts and acts[0] == "start_interview":
            out.append(here)
        else:
            hurt = dismissal_act(here.text, checked, reads_as_reflection(plain_act(acts[0]), here.confidence))
            out.append(here._replace(dismissal=hurt, empathic=hurt == "" and empathic_phrase(here.text)))
        checked = checked or any(plain_act(a) == "ask_red_flags" for a in acts)
    return out
