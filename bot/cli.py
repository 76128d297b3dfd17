"""``sptrainer``: the command-line entry point (contract section 6)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from bot.personas import PersonaFileError, load_persona_file, personas_dir


def _persona_files(paths: Sequence[str]) -> List[Path]:
    if not paths:
        paths = [str(personas_dir())]
    files: List[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(q for q in p.iterdir() if q.suffix in (".yml", ".yaml")))
        else:
            files.append(p)
    return files


def cmd_persona_validate(args: argparse.Namespace) -> int:
    files = _persona_files(args.paths)
    if not files:
        print("error: no persona files found", file=sys.stderr)
        return 2
    seen_ids: dict = {}
    bad = 0
    for path in files:
        if not path.exists():
            print(f"{path}:1:1: file not found", file=sys.stderr)
            bad += 1
            continue
        try:
            persona = load_persona_file(path)
        except PersonaFileError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            bad += 1
            continue
        if persona.id in seen_ids:
            print(f"{path}:1:1: duplicate id '{persona.id}' (also in {seen_ids[persona.id]})", file=sys.stderr)
            bad += 1
            continue
        seen_ids[persona.id] = path
    good = len(files) - bad
    print(f"{good} persona file(s) valid, {bad} with errors", file=sys.stderr if bad else sys.stdout)
    return 1 if bad else 0


def cmd_dev_sync(_: argparse.Namespace) -> int:
    from bot.rasa_files import sync

    changed = sync()
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("domain and rules already match bot/topics.yml")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sptrainer", description="SP Trainer command line")
    sub = parser.add_subparsers(dest="command", required=True)

    persona = sub.add_parser("persona", help="persona files")
    persona_sub = persona.add_subparsers(dest="persona_command", required=True)
    validate = persona_sub.add_parser("validate", help="check persona files; errors as file:line:col: message")
    validate.add_argument("paths", nargs="*", help="files or folders (default: the personas folder)")
    validate.set_defaults(func=cmd_persona_validate)

    dev = sub.add_parser("dev", help="developer tools")
    dev_sub = dev.add_subparsers(dest="dev_command", required=True)
    sync = dev_sub.add_parser("sync", help="regenerate domain/ and data/rules/ from bot/topics.yml")
    sync.set_defaults(func=cmd_dev_sync)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
