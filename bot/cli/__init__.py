"""``sptrainer``: the command-line entry point, every subcommand in this package
(README.md, "Command line")."""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from typing import Optional, Sequence


def cmd_persona_validate(args: argparse.Namespace) -> int:
    # Shared with `persona lint`: duplicate ids are reported at both files' id lines.
    from bot.personas.lint import cmd_persona_validate as validate

    return validate(args)


def cmd_dev_sync(_: argparse.Namespace) -> int:
    from bot.rasa_files import sync

    changed = sync()
    for path in changed:
        print(f"wrote {path}")
    if not changed:
        print("domain and rules already match bot/topics.yml")
    return 0


def _add_authoring_commands(sub: argparse._SubParsersAction, persona_sub: argparse._SubParsersAction) -> None:
    """`persona new|lint|show|topics` and `chat`: writing a patient and trying it (docs/authoring.md)."""
    from bot.cli import chat as chat_cli
    from bot.personas import lint, scaffold, show

    new = persona_sub.add_parser("new", help="write a commented persona template that validates")
    new.add_argument("id", help="persona id: lowercase letters, digits, hyphens (the file name)")
    new.add_argument("--complaint", required=True, choices=scaffold.COMPLAINTS, help="complaint group")
    new.add_argument("--dir", default=None, help="folder to write <id>.yml in (default: the personas folder)")
    new.set_defaults(func=scaffold.cmd_persona_new)

    lint_p = persona_sub.add_parser("lint", help="coverage and warnings as file:line:col: warning: message")
    lint_p.add_argument("paths", nargs="*", help="files or folders (default: the personas folder)")
    lint_p.add_argument("--strict", action="store_true", help="exit non-zero on warnings too")
    lint_p.set_defaults(func=lint.cmd_persona_lint)

    show_p = persona_sub.add_parser("show", help="print every answer as the patient would give it")
    show_p.add_argument("id", help="persona id (in the personas folder) or a persona file path")
    show_p.add_argument("--rapport", choices=("low", "high"), default=None,
                        help="low: guarded answers, high: open answers (default: both)")
    show_p.set_defaults(func=show.cmd_persona_show)

    topics_p = persona_sub.add_parser("topics", help="list the topic ids persona answers are keyed by")
    topics_p.add_argument("--markdown", action="store_true", help="as the Markdown table in docs/authoring.md")
    topics_p.set_defaults(func=show.cmd_persona_topics)

    chat = sub.add_parser("chat", help="interview a patient in the terminal through the running bot")
    chat.add_argument("id", help="persona id")
    chat.add_argument("--url", default=chat_cli.DEFAULT_URL, help=f"Rasa server (default {chat_cli.DEFAULT_URL})")
    chat.add_argument("--sender", default=None, help="conversation id (default: a new random one)")
    chat.set_defaults(func=chat_cli.cmd_chat)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sptrainer", description="SP Trainer command line")
    sub = parser.add_subparsers(dest="command", required=True)

    persona = sub.add_parser("persona", help="persona files")
    persona_sub = persona.add_subparsers(dest="persona_command", required=True)
    validate = persona_sub.add_parser("validate", help="check persona files; errors as file:line:col: message")
    validate.add_argument("paths", nargs="*", help="files or folders (default: the personas folder)")
    validate.set_defaults(func=cmd_persona_validate)
    _add_authoring_commands(sub, persona_sub)

    from bot.cli.score import add_score_command

    add_score_command(sub)

    from bot.cli.pack import add_export_pack_command

    add_export_pack_command(sub)

    dev = sub.add_parser("dev", help="developer tools")
    dev_sub = dev.add_subparsers(dest="dev_command", required=True)
    sync = dev_sub.add_parser("sync", help="regenerate domain/ and data/rules/ from bot/topics.yml")
    sync.set_defaults(func=cmd_dev_sync)

    from bot.cli.accounts import add_cohort_commands, add_user_commands

    add_user_commands(sub)
    add_cohort_commands(sub)
    return parser


def _quiet_third_party_noise() -> None:
    """Rasa, TensorFlow and their dependencies print pages of deprecation warnings on
    import; a command-line user should see only our own output and errors."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    import sanic  # noqa: F401 - sanic sets "once" for DeprecationWarning on import; ours must come after
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", message=".*deprecated.*")


def main(argv: Optional[Sequence[str]] = None) -> int:
    _quiet_third_party_noise()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
