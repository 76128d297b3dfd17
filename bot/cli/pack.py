"""``sptrainer export-pack``: an anonymised teaching pack of scored interviews (docs/scoring.md)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.score import add_transcript_source_arguments, transcripts_or_exit_code
from bot.teaching_pack import build_pack, write_pack


def add_export_pack_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-pack", help="export an anonymised teaching pack (HTML and JSON)",
                       description="Score the selected interviews and write an anonymised teaching pack: "
                                   "OUTDIR/pack.html (self-contained) and OUTDIR/pack.json.")
    add_transcript_source_arguments(p)
    p.add_argument("--student-name", action="append", default=[], metavar="NAME",
                   help="a student's name to mask wherever it occurs (repeatable)")
    p.add_argument("--title", default="SP Trainer teaching pack")
    p.add_argument("-o", "--output", "--outdir", dest="outdir", type=Path, required=True, metavar="OUTDIR",
                   help="folder to write pack.html and pack.json in")
    p.set_defaults(func=cmd_export_pack)


def cmd_export_pack(args: argparse.Namespace) -> int:
    transcripts = transcripts_or_exit_code(args)
    if isinstance(transcripts, int):
        return transcripts
    from bot.scoring import score_many

    reports = score_many(transcripts)
    page, pack = build_pack(list(zip(transcripts, reports)), student_names=args.student_name,
                            identities=args.conversation, title=args.title)
    html_path, json_path = write_pack(args.outdir, page, pack)
    print(f"wrote {html_path} and {json_path} ({len(transcripts)} transcript(s), anonymised)", file=sys.stderr)
    return 0
