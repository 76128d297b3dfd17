"""Generic in-character lines for what a persona file leaves out, shaded by demeanour."""
from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from bot.personas.model import Persona

_FALLBACK: Dict[str, Tuple[str, ...]] = {
    "neutral": ("Sorry, what do you mean?", "Sorry, I'm not sure I follow. Could you put that another way?"),
    "reserved": ("Sorry... what do you mean?", "I'm not sure I understand the question."),
    "talkative": ("Sorry, I've lost you there, what do you mean?", "Hang on, I didn't quite get that. What are you asking?"),
    "anxious": ("Sorry, I don't understand, what do you mean? Is that bad?", "Sorry, I'm a bit flustered. Could you ask that again?"),
    "tearful": ("Sorry... I didn't catch what you mean.", "Sorry, could you say that again?"),
    "irritable": ("What do you mean?", "I don't follow. Can you just ask me plainly?"),
}

_UNKNOWN: Dict[str, Tuple[str, ...]] = {
    "neutral": ("I'm not sure what you mean, to be honest.", "Hmm, I'm not sure. I haven't really thought about that."),
    "reserved": ("I'm not sure what you mean.", "I don't really know what to say to that."),
    "talkative": ("Oh, I'm not sure what you mean there, to be honest.", "Hmm, I've never really thought about that one."),
    "anxious": ("I'm not sure what you mean... should I know that?", "I don't know. Is that important?"),
    "tearful": ("I'm not sure what you mean, sorry.", "I don't know..."),
    "irritable": ("I'm not sure what you're getting at.", "No idea, honestly."),
}

#: A question that no topic covers: an honest "not really" that steers back to the visit.
_UNCOVERED: Dict[str, Tuple[str, ...]] = {
    "neutral": ("No, not that I can think of. Is that important?", "Hmm, not really, no. I'm not sure what that has to do with it."),
    "reserved": ("No. Not that I know of.", "I don't think so. Why do you ask?"),
    "talkative": ("Ooh, no, not that I can think of! Is that something that matters for this?",
                  "No, not really. Why, do you think that's connected?"),
    "anxious": ("No, I don't think so... why, could that be something?", "Not that I know of. Should it matter?"),
    "tearful": ("No... not that I know of.", "I don't think so, no."),
    "irritable": ("No. What's that got to do with anything?", "Not that I know of. Can we get back to the pain?"),
}

#: The same for a question asking what, where, which... ("What's your blood group?"): an
#: honest "I couldn't tell you", never an invented yes or no.
_UNCOVERED_OPEN: Dict[str, Tuple[str, ...]] = {
    "neutral": ("I'm not sure I could tell you that, to be honest. Is it important?",
                "Hmm, I couldn't say. I'm not sure what that has to do with it."),
    "reserved": ("I couldn't tell you.", "Not sure. Why do you ask?"),
    "talkative": ("Ooh, you've got me there, I couldn't tell you! Does it matter for this?",
                  "Gosh, I'd have to think about that. Why, is it connected?"),
    "anxious": ("I... I don't know, sorry. Should I know that? Is it important?", "I'm not sure, sorry. Does it matter?"),
    "tearful": ("I don't know... sorry.", "I couldn't tell you, I'm sorry."),
    "irritable": ("No idea. What's that got to do with anything?", "Couldn't tell you. Can we get back to the pain?"),
}
_WH_QUESTION = re.compile(r"^\W*(?:(?:and|so|ok|okay|right|um|erm|well)\W+)*(?:what|what's|whats|which|where|who|whose|"
                          r"how|how's|when|why)\b", re.IGNORECASE)

#: Reactions to process and communication acts when the persona gives none.
_REACTIONS: Dict[str, Tuple[str, ...]] = {
    "greet": ("Hello.", "Hello, nice to meet you."),
    "ask_open": ("Well, it's like I said, it's been going on a while and it's wearing me down.",),
    "ask_anything_else": ("No, I think that's the main thing.", "Not really, that's the main thing."),
    "summarize": ("Yes, that's about right.", "Yes, that sounds right."),
    "goodbye": ("Thank you. Bye.", "Thanks, goodbye."),
    "empathize": ("Thank you. It has been hard.", "Thanks. It's nice to hear someone say that."),
    "legitimize": ("Thank you. I was starting to think nobody believed me.", "That's a relief to hear, honestly."),
    "dismiss": ("So you think I'm imagining it?", "It's real, though. I'm not making it up."),
    "reassure_premature": ("But you haven't even... I mean, how can you be sure?", "I hope so. But it doesn't feel like nothing."),
    "explain_mind_body": ("Oh. I've never had it explained like that. So it's real, but stress makes it worse?",
                          "That makes some sense, actually."),
    "propose_plan": ("Okay. I'd be willing to try that.", "Alright, that sounds like a start."),
    "invite_questions": ("Um... I suppose my main question is whether this is ever going to get better.",
                         "Just... is this something that can actually be sorted? That's what I keep wondering."),
    "check_understanding": ("I think so. So it's real, and there are things we can try?",
                            "Yes, mostly. Can I ring if I think of something later?"),
    "safety_net": ("Okay. So if any of that happens I come straight back. Got it.",
                   "Right, I'll keep an eye out for those and call if they happen."),
    "reflect": ("Yes. Yes, that's exactly it.", "Mm. That's it, really. It's hard to explain to people."),
    "explain_diagnosis": ("So it has a name. That actually helps. It's not just me, then?",
                          "Okay. I've heard of that. So it's a real thing, not me imagining it?"),
    "out_of_scope": ("Sorry, I'm not sure what that's got to do with me being here.",
                     "I'd rather talk about why I came in, if that's alright."),
}

#: Answers to physical and psychosocial topics that a persona may leave out, where a plain
#: default is what most patients would say (topics version 2 added these ids).
_DEFAULT_ANSWERS: Dict[str, Tuple[str, ...]] = {
    "ask_allergies": ("No allergies that I know of.", "Not that I know of, no. Nothing's ever reacted badly."),
    "ask_risk": ("No. No, nothing like that.", "No, I've never thought about hurting myself, if that's what you mean."),
}

_PROXY_DEFAULT_ANSWERS: Dict[str, Tuple[str, ...]] = {
    "ask_allergies": ("No allergies that we know of.",),
    "ask_risk": ("No, nothing like that, not that {first}'s ever said.",),
}

#: Built-in reactions that would sound wrong from a proxy (a parent speaking for a child):
#: "{first}" is the patient's first name.
_PROXY_REACTIONS: Dict[str, Tuple[str, ...]] = {
    "ask_open": ("Well, like I said, it's been going on a while and it's wearing {first} down.",),
    "dismiss": ("So you think {first} is imagining it?", "It's real, though. {first} isn't making it up."),
    "legitimize": ("Thank you. I was starting to think nobody believed us.", "That's a relief to hear, honestly."),
}

#: A follow-up on a topic whose further facts are used up (or never written).
_NOTHING_MORE: Dict[str, Tuple[str, ...]] = {
    "neutral": ("That's about all there is to it, really.", "Not much more to say about that, to be honest."),
    "reserved": ("That's about it.", "There's not really any more to it."),
    "talkative": ("Oh, that's about all there is to it, honestly. I think I've told you everything!",
                  "Hmm, I can't think of anything else about that, really."),
    "anxious": ("I think that's everything... is that enough detail?", "That's about all, I think. Should there be more?"),
    "tearful": ("That's... that's about it, really.", "I don't think there's any more to it."),
    "irritable": ("That's it. There's nothing more to it.", "I've told you what there is."),
}
#: A follow-up on a topic the patient is still guarded about.
_GUARDED_FOLLOW_UP: Dict[str, Tuple[str, ...]] = {
    "neutral": ("I'd rather not go into it, if that's okay.", "It's fine, honestly. I don't really want to get into it."),
    "reserved": ("I'd rather leave it there.", "It's nothing. I don't want to go into it."),
    "talkative": ("Oh, it's nothing really, I don't want to bore you with all that.",
                  "Let's not get into that, it's fine, honestly."),
    "anxious": ("I... I'd rather not say much more about that right now.", "It's fine. Can we leave that for now?"),
    "tearful": ("I'd rather not, if that's okay.", "Can we not... not just now."),
    "irritable": ("I don't see why that matters.", "Leave it. It's fine."),
}

#: Said before a first answer on dates and numbers by a patient with vague recall.
_VAGUE_RECALL = ("I don't remember exactly.", "I couldn't tell you exactly, I'm bad with dates.",
                 "Oh, I don't remember exactly. Let me think.")
#: A patient with limited English, to a long or jargon-laden question (once per topic).
_ASK_TO_REPEAT = ("Sorry, my English is not so good. Can you say again, more simple?",
                  "Sorry, I don't know this word. Again, please? Slowly?",
                  "Sorry... too fast for me. One more time, please, simple words?")
_PROXY_ASK_TO_REPEAT = ("Sorry, my English is not so good. Can you ask again, more simple?",)

_ESCALATION_LEAD = ("Sorry, I keep coming back to it, but", "Can I just say again,", "It's still on my mind, honestly:")
_REPEAT_PREFIX = ("As I said,", "Like I said,", "As I mentioned,")


def fallback_lines(persona: Persona) -> Tuple[str, ...]:
    if persona.fallback:
        return persona.fallback
    if persona.proxy:
        return (f"Sorry, I'm not sure what you mean. Are you asking about {first_name(persona)}?",)
    return _FALLBACK.get(persona.demeanour, _FALLBACK["neutral"])


def unknown_lines(persona: Persona) -> Tuple[str, ...]:
    if persona.unknown:
        return persona.unknown
    if persona.proxy:
        return (f"I'm not sure, to be honest. I'd have to ask {first_name(persona)}.",)
    return _UNKNOWN.get(persona.demeanour, _UNKNOWN["neutral"])


def uncovered_lines(persona: Persona, question: str = "") -> Tuple[str, ...]:
    """The honest reply to a question no topic covers; a persona's own ``unknown`` lines win.
    A yes/no question ("Any pets?") gets "not that I know of", one asking what or where
    ("What's your blood group?") an "I couldn't tell you"."""
    if persona.unknown:
        return persona.unknown
    asks_what = bool(_WH_QUESTION.search(question))
    if persona.proxy:
        if asks_what:
            return (f"I'm not sure, I couldn't tell you that about {first_name(persona)}. Does it matter?",)
        return (f"Not that I know of. I don't think that's come up with {first_name(persona)}.",)
    lines = _UNCOVERED_OPEN if asks_what else _UNCOVERED
    return lines.get(persona.demeanour, lines["neutral"])


def reaction_lines(topic_id: str, persona: Optional[Persona] = None) -> Tuple[str, ...]:
    """Built-in reaction lines; in the proxy's voice when someone speaks for the patient."""
    if persona is not None and persona.proxy and topic_id in _PROXY_REACTIONS:
        return tuple(line.format(first=first_name(persona)) for line in _PROXY_REACTIONS[topic_id])
    return _REACTIONS.get(topic_id, ())


def default_answer_lines(topic_id: str, persona: Persona) -> Tuple[str, ...]:
    """A plain answer for a topic the persona file leaves out, when one fits any patient."""
    if persona.proxy and topic_id in _PROXY_DEFAULT_ANSWERS:
        return tuple(line.format(first=first_name(persona)) for line in _PROXY_DEFAULT_ANSWERS[topic_id])
    return _DEFAULT_ANSWERS.get(topic_id, ())


_NOTHING_MORE_ANY = ("I can't think of anything more to add about that.",
                     "Honestly, I've told you all I can about that one.")


#: In a proxy case, what the patient says when addressed and the file has no line in their
#: own voice for the topic: a short reply of their own, then the proxy fills in.
_ASIDE_CHILD = ("Um... dunno.", "I don't know...", "Um. Okay, I guess.")
_ASIDE_TEEN = ("Dunno. It's fine, I guess.", "I don't really know.", "Not really... I dunno.")
_ASIDE_ADULT = ("Oh... I'm not sure.", "I don't rightly know.", "You'd best ask them.")


def patient_aside_lines(persona: Persona) -> Tuple[str, ...]:
    if persona.age < 13:
        return _ASIDE_CHILD
    return _ASIDE_TEEN if persona.age < 18 else _ASIDE_ADULT


def proxy_first_name(persona: Persona) -> str:
    speaker = persona.proxy.speaker if persona.proxy else ""
    return speaker.split()[0] if speaker.split() else (persona.proxy.relation if persona.proxy else "")


def nothing_more_lines(persona: Persona) -> Tuple[str, ...]:
    return _NOTHING_MORE.get(persona.demeanour, _NOTHING_MORE["neutral"]) + _NOTHING_MORE_ANY


def guarded_follow_up_lines(persona: Persona) -> Tuple[str, ...]:
    return _GUARDED_FOLLOW_UP.get(persona.demeanour, _GUARDED_FOLLOW_UP["neutral"])


def escalation_leads() -> Tuple[str, ...]:
    return _ESCALATION_LEAD


def repeat_prefixes() -> Tuple[str, ...]:
    return _REPEAT_PREFIX


def first_name(persona: Persona) -> str:
    return persona.name.split()[0] if persona.name.split() else persona.name


def names_in_case(persona: Persona) -> Tuple[str, ...]:
    """The words of the patient's and the proxy's names."""
    speaker = persona.proxy.speaker if persona.proxy else ""
    return tuple(w.strip(".,()'") for w in f"{persona.name} {speaker}".split() if w.strip(".,()'"))


def vague_recall_lines(persona: Persona) -> Tuple[str, ...]:
    return _VAGUE_RECALL


def ask_to_repeat_lines(persona: Persona) -> Tuple[str, ...]:
    return _PROXY_ASK_TO_REPEAT if persona.proxy else _ASK_TO_REPEAT
