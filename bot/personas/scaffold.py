"""``sptrainer persona new``: a commented persona template that already validates.

An educator starts from a file where every history topic is stubbed and explained, with
guidance for the chosen complaint (which red flags matter, which tests the patient has
probably had), so the blank page never hides a topic the scorer expects.
"""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, Optional, Tuple, TypedDict

from bot import topics
from bot.personas.errors import display_path
from bot.personas.loader import schema_line
from bot.personas.registry import PERSONA_ID_RE, personas_dir

COMPLAINTS = ("chronic_pain", "gut", "sleep")
WIDTH = 100


class ScaffoldError(Exception):
    """A template cannot be written (bad id, file exists); the message says why."""


class Guidance(TypedDict):
    """What the template suggests for one complaint group."""

    chief_complaint: str
    opening: str
    cues: Tuple[str, ...]
    topics: Dict[str, str]


#: Per complaint: a chief complaint suggestion, an opening hint, the topics most likely
#: to be emotional cues, and guidance per topic. Topics not listed get generic guidance.
GUIDANCE: Dict[str, Guidance] = {
    "chronic_pain": {
        "chief_complaint": "TODO: e.g. low back pain for two years, or aching all over with tiredness",
        "opening": "TODO: first words, e.g. where it hurts and for how long, in the patient's own way",
        "cues": ("ask_daily_function", "ask_concerns"),
        "topics": {
            "ask_onset": "Chronic pain means more than three months. Was there a trigger (lifting, a fall, an "
                         "illness, a bereavement)? Has it spread or changed since?",
            "ask_location": "One place or widespread? One side or both? Radiation down a leg below the knee "
                            "suggests a nerve root; widespread tender points suggest fibromyalgia.",
            "ask_character": "Aching, stiffness, burning, electric shocks or pins and needles (neuropathic), "
                             "tenderness to touch.",
            "ask_severity": "A number now, at worst and at best, and what a bad day looks like.",
            "ask_timing": "Constant or flares? Morning stiffness and how long it lasts (over 30-60 minutes "
                          "suggests inflammation); worse at the end of the day?",
            "ask_triggers": "Sitting, lifting, cold, overdoing it on a good day and paying for it (boom and "
                            "bust), poor sleep, stress.",
            "ask_relief": "Heat, gentle movement, rest, pacing; how much the tablets really help.",
            "ask_associated": "Fatigue, unrefreshing sleep, poor concentration ('fog'), headaches, an irritable "
                              "bowel, low mood.",
            "ask_red_flags": "Red flags for pain: numbness around the bottom or genitals (saddle anaesthesia), new "
                             "bladder or bowel problems, progressive leg weakness (cauda equina); unexplained "
                             "weight loss, fever, a history of cancer, night pain not eased by rest, major trauma, "
                             "steroid use; for widespread pain, swollen joints, rash or long morning stiffness. "
                             "Have the patient clearly deny each one that is absent.",
            "ask_medications": "Paracetamol, NSAIDs, codeine or tramadol (how often, for how long), gabapentin or "
                               "pregabalin, amitriptyline or duloxetine (and what the patient thought of being "
                               "given an 'antidepressant'), side effects, creams, supplements.",
            "ask_previous_care": "X-rays or MRI ('wear and tear', 'a bulging disc'), blood tests, physio, a pain "
                                 "clinic, and what the patient understood from it. Being told 'everything is "
                                 "normal' is often a cue.",
            "ask_family_history": "Arthritis, autoimmune disease, someone disabled by pain.",
            "ask_work": "A physical job, sick leave, fear of losing the job, a claim or a dispute.",
            "ask_daily_function": "What has been given up: lifting a child, hobbies, housework, sport, sex; fear "
                                  "of moving in case it causes damage.",
            "ask_coping": "Pushing through then crashing, resting a lot, avoiding activity, heat packs and "
                          "television, prayer, alcohol or cannabis.",
            "ask_substances": "Alcohol or cannabis to take the edge off the pain, smoking.",
            "ask_sleep": "Pain waking them, turning over hurting, waking unrefreshed.",
            "ask_ideas": "Damage ('a slipped disc', 'my spine is crumbling'), something the scans missed.",
            "ask_concerns": "A wheelchair, never working again, being a burden, something serious being missed.",
            "ask_expectations": "A scan, stronger painkillers, a sick note, a referral, or simply to be believed.",
        },
    },
    "gut": {
        "chief_complaint": "TODO: e.g. cramping belly pain and bloating for months",
        "opening": "TODO: first words, e.g. the belly pain and what it does to the patient's bowels",
        "cues": ("ask_stress", "ask_concerns"),
        "topics": {
            "ask_onset": "How long (months, years)? After a stomach bug, antibiotics, a move or a loss?",
            "ask_location": "Lower belly, moving around, or upper belly (indigestion); does it spread to the back?",
            "ask_character": "Cramping, bloating, a knot, burning; urgency; how it relates to opening the bowels.",
            "ask_severity": "A number at worst; how often it stops the patient doing things.",
            "ask_timing": "After meals, in the morning, around periods; the bowel habit: loose, hard or "
                          "alternating, how many times a day.",
            "ask_triggers": "Particular foods (onion, wheat, dairy, coffee, fatty food), stress, exams, "
                            "travelling, periods.",
            "ask_relief": "Opening the bowels easing the pain (typical of IBS), a hot water bottle, peppermint.",
            "ask_associated": "Bloating and visible swelling, mucus, feeling of not having finished, wind, "
                              "nausea, reflux, tiredness, back ache, needing to pass urine often.",
            "ask_red_flags": "Red flags for the gut: blood in the stool or black tarry stool, unintended weight "
                             "loss, trouble swallowing, persistent vomiting, anaemia, waking at night to open "
                             "the bowels, fever, a lump; new symptoms after 50; bowel cancer, inflammatory bowel "
                             "disease or coeliac disease in the family. Have the patient clearly deny each one "
                             "that is absent.",
            "ask_medications": "Loperamide, laxatives, antispasmodics (mebeverine, hyoscine), peppermint oil, "
                               "acid tablets, NSAIDs, recent antibiotics, probiotics, diets that cut out foods.",
            "ask_previous_care": "Blood tests (blood count, coeliac test, inflammation), a stool test "
                                 "(calprotectin), a camera test, what the patient was told ('it's just IBS').",
            "ask_family_history": "Bowel cancer, Crohn's or colitis, coeliac disease, in whom and at what age.",
            "ask_work": "Access to toilets at work, meetings, commuting, time off.",
            "ask_daily_function": "Planning every trip around toilets, not eating before going out, avoiding "
                                  "restaurants, travel and sex.",
            "ask_coping": "Skipping meals, strict diets, staying home, carrying spare clothes.",
            "ask_substances": "Alcohol, coffee and energy drinks, smoking, cannabis.",
            "ask_lifestyle": "Meals (regular or skipped), fibre, fluids, exercise, special diets.",
            "ask_ideas": "A food intolerance, an infection, something wrong inside.",
            "ask_concerns": "Cancer (often because of a relative), embarrassment, losing a job or a relationship.",
            "ask_expectations": "A camera test, a diet, a tablet that works, an explanation.",
        },
    },
    "sleep": {
        "chief_complaint": "TODO: e.g. can't sleep properly for months, exhausted during the day",
        "opening": "TODO: first words, e.g. how long the nights have been bad and what the days are like",
        "cues": ("ask_mood", "ask_work"),
        "topics": {
            "ask_onset": "Chronic insomnia means more than three months. What was going on when it started?",
            "ask_location": "Sleep has no 'where': write the patient's puzzled or redirecting reply, or where the "
                            "tiredness is felt (heavy head, sore eyes).",
            "ask_character": "Trouble falling asleep, waking in the night, waking too early, or sleep that does "
                             "not refresh; a racing mind in bed.",
            "ask_severity": "Hours slept, how long to fall asleep, how many nights a week, how bad the days are.",
            "ask_timing": "Bedtime and waking time, naps, weekends, shift pattern.",
            "ask_triggers": "Worry, screens in bed, late coffee, alcohol, noise, a snoring partner, pain, "
                            "nightmares, a baby.",
            "ask_relief": "What helps: holidays, reading, a pill, a drink, giving up and getting up.",
            "ask_associated": "Daytime tiredness, irritability, poor concentration, headaches, low mood.",
            "ask_red_flags": "Red flags for sleep: loud snoring with pauses or gasping (sleep apnoea), falling "
                             "asleep while driving or at work, restless legs, acting out dreams, sudden muscle "
                             "weakness with laughter, thoughts of suicide, needing little sleep yet feeling "
                             "full of energy (mania), night sweats or weight loss, breathlessness at night. "
                             "Have the patient clearly deny each one that is absent.",
            "ask_medications": "Sleeping tablets (zopiclone), antihistamines, melatonin, herbal remedies, and "
                               "medicines that disturb sleep (steroids, some antidepressants, decongestants).",
            "ask_previous_care": "What the GP said, a sleep hygiene leaflet, a sleep study, talking therapy (CBT-I).",
            "ask_family_history": "Insomnia, depression, sleep apnoea in the family.",
            "ask_sleep": "For a sleep complaint this is the heart of the history: the guarded answer may be "
                         "'I just don't sleep', the open one the whole night in detail.",
            "ask_work": "Shift work, workload, mistakes at work, driving or safety-critical work.",
            "ask_daily_function": "Cancelled plans, dozing off, no energy for family or friends.",
            "ask_coping": "Lying in longer, naps, more coffee, a drink to wind down, scrolling in bed.",
            "ask_substances": "Caffeine (and the time of the last cup), energy drinks, alcohol as a nightcap, "
                              "nicotine, cannabis.",
            "ask_lifestyle": "Screens in bed, exercise and its timing, naps, an irregular routine.",
            "ask_ideas": "A brain that will not switch off, hormones, something wrong with the brain.",
            "ask_concerns": "Dementia, losing the job, causing an accident, 'going mad'.",
            "ask_expectations": "Sleeping tablets (a common hope), a test, 'something to knock me out'.",
        },
    },
}

#: What the stub text asks for, per category.
_STUB = {
    "process": "TODO: what the patient says",
    "physical": "TODO: the patient's answer",
}


def _q(text: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _line(code: str, comment: str = "") -> str:
    """``key: value`` with its comment aligned in one column, for a tidy template."""
    return f"{code:<29} # {comment}" if comment else code


def _comment(text: str, indent: int) -> List[str]:
    pad = " " * indent + "# "
    return textwrap.wrap(text, width=WIDTH, initial_indent=pad, subsequent_indent=pad + "  ")


def _topic_block(topic: topics.Topic, complaint: str, cue_topics: Tuple[str, ...]) -> List[str]:
    guidance = GUIDANCE[complaint]["topics"]
    lines = _comment(f"{topic.id}: {topic.desc}. Learner: \"{topic.examples[0]}\"", 2)
    hint = guidance.get(topic.id)
    if hint:
        lines += _comment(f"{complaint}: {hint}", 2)
    if topic.category in topics.DISCLOSURE_CATEGORIES:
        lines.append(f"  {topic.id}:")
        lines.append(f"    guarded: {_q('TODO: brief, deflecting (rapport still low)')}")
        lines.append(f"    open: {_q('TODO: what the patient discloses once trust is earned')}")
        if topic.id in cue_topics:
            lines.append(_line("    cue: true", "an emotional cue: keep 2-4 in the file"))
            lines.append(f"    escalation: {_q('TODO: said later, more strongly, if the learner ignores the cue')}")
    else:
        lines.append(f"  {topic.id}: {_q(_STUB.get(topic.category, 'TODO: the patient answer'))}")
    return lines


def template(persona_id: str, complaint: str, path: Optional[Path] = None) -> str:
    """The commented template text; it passes ``sptrainer persona validate``."""
    if complaint not in GUIDANCE:
        raise ScaffoldError(f"unknown complaint '{complaint}'; choose one of: {', '.join(COMPLAINTS)}")
    g = GUIDANCE[complaint]
    cue_topics = g["cues"]
    all_topics = topics.load_topics()
    shown = display_path(path) if path else f"personas/{persona_id}.yml"
    out: List[str] = [
        schema_line(path),
        f"# Persona '{persona_id}' ({complaint}), started with `sptrainer persona new`.",
        "# Replace every TODO, then check as you go (docs/authoring.md explains each step):",
        f"#   sptrainer persona validate {shown}    errors: the bot refuses a file with any",
        f"#   sptrainer persona lint {shown}        coverage, cues, warnings (TODOs left, ...)",
        f"#   sptrainer persona show {shown} --rapport low    answers as the patient says them",
        f"#   sptrainer chat {persona_id}    interview it through the running bot (`make run`)",
        "# The bot serves every valid file in personas/ (or $SPTRAINER_PERSONAS_DIR) to students at",
        "# once, so draft elsewhere (--dir drafts) and copy the file there when it is ready.",
        "",
        "# --- required (contract): id ... answers ------------------------------------------",
        _line(f"id: {persona_id}", "must equal the file name"),
        f"name: {_q('TODO Firstname Lastname')}",
        _line("age: 45", "age in years"),
        f"sex: {_q('TODO: female, male, ...')}",
        f"occupation: {_q('TODO: job or role')}",
        _line(f"complaint: {complaint}", "chronic_pain | gut | sleep"),
        f"chief_complaint: {_q(g['chief_complaint'])}",
        f"opening: {_q(g['opening'])}",
        "",
        "# --- optional, with defaults ---------------------------------------------------------",
        f"summary: {_q('TODO: one line for the patient list, e.g. 45, teacher; months of ...')}",
        _line("demeanour: neutral", "neutral | reserved | talkative | anxious | tearful | irritable"),
        _line("# recall: precise", "precise | vague: 'I don't remember exactly' on dates and numbers"),
        _line("# proficiency: fluent", "fluent | limited: short sentences, asks to hear hard questions again"),
        "rapport:",
        _line("  start: 0", "starting rapport; empathy +1, dismissal -2 (docs/authoring.md)"),
        _line("  open_at: 1", "guarded answers open at this rapport (2-3: a wary patient)"),
        _line("# volunteers:", "facts said unprompted right after the opening"),
        "#   - \"I've also been waking at four every morning.\"",
        _line("# proxy: {speaker: Anna Fischer, relation: mother}", "someone speaks for the patient"),
        _line("# language: en", "BCP 47 tag; if not English, set fallback/unknown below"),
        "",
        "answers:",
        "  # Each answer: one string, a list of variants, or the long form with",
        "  #   text | guarded + open, and optionally repeat (asked again), cue: true (an emotional",
        "  #   cue), escalation (said if the cue is ignored), direct_only: true (never volunteered),",
        "  #   follow_up (further facts, one per follow-up such as \"how many?\": e.g.",
        "  #     follow_up: [\"Four or five cans on a Saturday.\", \"More since the layoffs.\"]),",
        "  #   patient (proxy cases: the patient's own words when the learner speaks to them),",
        "  #   alarm: \"short description\" on the answer that reveals a positive red flag or risk",
        "  #     (keep it out of the opening and volunteers; the scorer checks it was drawn out).",
    ]
    titles = {
        "process": "process: how the interview runs",
        "physical": "physical: the symptom itself",
        "psychosocial": "psychosocial: guarded while rapport is low, open once it is earned",
        "perspective": "perspective: ideas, concerns, expectations (ICE)",
    }
    for category in ("process", "physical", "psychosocial", "perspective"):
        out += ["", f"  # === {titles[category]} ==="]
        for topic_id in topics.ids_in(category):
            out += _topic_block(all_topics[topic_id], complaint, cue_topics)
    out += [
        "",
        "# How the patient reacts to what the learner does (plain strings or lists of variants).",
        "# Missing ones fall back to built-in generic lines; dismiss and empathize matter most.",
        "reactions:",
    ]
    for topic_id in topics.ids_in("communication"):
        topic = all_topics[topic_id]
        out += _comment(f"{topic_id}: {topic.desc}. Learner: \"{topic.examples[0]}\"", 2)
        out.append(f"  {topic_id}: {_q('TODO: the patient reaction')}")
    out += [
        "",
        "# In-character replies when the learner is not understood / asks about something this",
        "# file has no answer for (defaults depend on demeanour):",
        "# fallback: \"Sorry, what do you mean?\"",
        "# unknown: \"I'm not sure, to be honest.\"",
        "",
    ]
    return "\n".join(out)


def write_persona(persona_id: str, complaint: str, directory: Optional[Path] = None) -> Path:
    """Write ``<directory>/<id>.yml``; never overwrites, never writes an id the bot would refuse."""
    if not PERSONA_ID_RE.match(persona_id or ""):
        raise ScaffoldError(f"invalid id '{persona_id}': use lowercase letters, digits and single hyphens "
                            "(e.g. ruth-okafor); it becomes the file name")
    directory = Path(directory) if directory else personas_dir()
    if not directory.is_dir():
        raise ScaffoldError(f"folder '{directory}' does not exist")
    path = directory / f"{persona_id}.yml"
    text = template(persona_id, complaint, path)
    try:
        with open(path, "x", encoding="utf-8") as fh:  # "x": fails if the file exists, even in a race
            fh.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; not overwriting it (choose another id or delete the file)") from None
    return path


def cmd_persona_new(args: argparse.Namespace) -> int:
    try:
        path = write_persona(args.id, args.complaint, Path(args.dir) if args.dir else None)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    print(f"next: fill in the TODOs, then `sptrainer persona lint {path}`")
    return 0
