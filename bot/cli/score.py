"""``sptrainer score``: score transcript files, folders, or logged conversations."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Union

from bot.transcripts import TrackerStoreReader, Transcript, TranscriptError, load_transcript_file, transcript_files


def add_score_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score transcripts (docs/contracts.md, section 5)",
                       description="Score interview transcripts. JSON follows docs/contracts.md, section 5; "
                                   "HTML is one self-contained file; text is for the terminal.")
    add_transcript_source_arguments(p)
    p.add_argument("--format", choices=("json", "html", "text"), default="json")
    p.add_argument("-o", "--output", type=Path, default=None, help="write here instead of standard output")
    p.set_defaults(func=cmd_score)


def add_transcript_source_arguments(p: argparse.ArgumentParser) -> None:
    """Where transcripts come from: files, folders, or conversations in the tracker store."""
    p.add_argument("paths", nargs="*", type=Path, help="transcript JSON files or folders of them")
    p.add_argument("--conversation", action="append", default=[], metavar="ID",
                   help="a conversation id from the tracker store (repeatable)")
    p.add_argument("--tracker-url", default=None,
                   help="SQLAlchemy URL of the tracker store (default: $SPTRAINER_TRACKER_URL or var/tracker.db)")


def load_transcript_sources(args: argparse.Namespace) -> List[Transcript]:
    transcripts: List[Transcript] = []
    files = transcript_files(args.paths)
    for path in args.paths:
        if not path.exists():
            raise TranscriptError(f"{path}: no such file or folder")
        if path.is_dir() and not any(path.glob("*.json")):
            raise TranscriptError(f"{path}: folder has no *.json transcripts")
    for path in files:
        transcripts.append(load_transcript_file(path))
    if args.conversation:
        reader = TrackerStoreReader(args.tracker_url)
        for cid in args.conversation:
            transcripts.append(reader.transcript(cid))
    return transcripts


def transcripts_or_exit_code(args: argparse.Namespace) -> Union[List[Transcript], int]:
    """The transcripts a command names, or the exit code after saying why there are none."""
    if not args.paths and not args.conversation:
        print("error: give transcript files or folders, or --conversation ID", file=sys.stderr)
        return 2
    try:
        return load_transcript_sources(args)
    except TranscriptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_score(args: argparse.Namespace) -> int:
    transcripts = transcripts_or_exit_code(args)
    if isinstance(transcripts, int):
        return transcripts
    from bot.scoring import score_many
    from bot.scoring.render import to_html, to_text

    reports: List[Dict] = score_many(transcripts)
    several = len(transcripts) > 1 or any(p.is_dir() for p in args.paths)
    for report, transcript in zip(reports, transcripts):
        report["source"] = transcript.source
    if args.format == "json":
        out = json.dumps(reports if several else reports[0], indent=2, ensure_ascii=False)
    elif args.format == "text":
        out = "\n\n".join(to_text(r, t) for r, t in zip(reports, transcripts))
    else:
        out = "\n".join(to_html(r, t) for r, t in zip(reports, transcripts)) if several else to_html(reports[0], transcripts[0])
    if args.output:
        args.output.write_text(out + "\n", encoding="utf-8")
        print(f"wrote {args.output} ({len(reports)} report(s))", file=sys.stderr)
    else:
        sys.stdout.write(out + "\n")
    return 0
