"""``sptrainer user ...`` (staff accounts) and ``sptrainer cohort ...`` (student cohorts) for the web app.

Passwords are read from a prompt, ``$SPTRAINER_PASSWORD`` or ``--password-stdin``; never
from the command line, where they would land in shell history and ``ps`` output.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import Optional

from bot.accounts.users import STAFF_ROLES, AccountError
from bot.settings import settings


def _read_password(args: argparse.Namespace) -> Optional[str]:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    env = settings().account_password
    if env:
        return env
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(f"Password for {args.name}: ")
    second = getpass.getpass("Repeat the password: ")
    if first != second:
        raise AccountError("the passwords do not match")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from bot.accounts.db import AppDB
    from bot.accounts.users import Users

    if args.password is not None:
        print("error: passwords are never taken on the command line (shell history, ps); "
              "use the prompt, $SPTRAINER_PASSWORD or --password-stdin", file=sys.stderr)
        return 2
    db = AppDB()
    try:
        password = _read_password(args)
        if password is None:
            print("error: no password: run in a terminal to be prompted, or set $SPTRAINER_PASSWORD, "
                  "or pass --password-stdin", file=sys.stderr)
            return 2
        user = Users(db).add_staff(args.name, args.role, password, replace=args.replace)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{'updated' if args.replace else 'added'} {user.role} {user.name!r} in {db.path}")
    return 0


def cmd_user_list(_: argparse.Namespace) -> int:
    from bot.accounts.db import AppDB
    from bot.accounts.users import Users

    rows = Users(AppDB()).list()
    for row in rows:
        state = "\t(disabled)" if row["disabled"] else ""
        print(f"{row['name']}\t{row['role']}{state}")
    if not rows:
        print("no staff accounts yet: sptrainer user add NAME --role assessor|educator", file=sys.stderr)
    return 0


def cmd_user_remove(args: argparse.Namespace) -> int:
    from bot.accounts.db import AppDB
    from bot.accounts.users import Users

    try:
        done = Users(AppDB()).remove_staff(args.name)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not done:
        print(f"error: no staff user {args.name!r}", file=sys.stderr)
        return 1
    print(f"disabled {args.name!r} and ended their sessions (their score overrides stay attributed)")
    return 0


def add_user_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``sptrainer user add|list|remove`` on the top-level sub-command parser."""
    user = sub.add_parser("user", help="web app staff accounts (assessors, educators)")
    user_sub = user.add_subparsers(dest="user_command", required=True)

    add = user_sub.add_parser("add", help="create a staff account (password from a prompt, "
                                          "$SPTRAINER_PASSWORD or --password-stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=STAFF_ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    add.add_argument("--replace", action="store_true", help="set a new password and role for an existing user")
    add.add_argument("--password", help=argparse.SUPPRESS)
    add.set_defaults(func=cmd_user_add)

    lst = user_sub.add_parser("list", help="list staff accounts")
    lst.set_defaults(func=cmd_user_list)

    remove = user_sub.add_parser("remove", help="disable a staff account and end its sessions")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_user_remove)


def cmd_cohort_add(args: argparse.Namespace) -> int:
    from bot.accounts.cohorts import Cohorts
    from bot.accounts.db import AppDB

    try:
        cohort, code = Cohorts(AppDB()).add(args.name)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"cohort #{cohort.id} {cohort.name!r}: access code {code}")
    print("give the code to the class; it is stored hashed and cannot be shown again "
          "(revoke the cohort and add a new one if it is lost)", file=sys.stderr)
    return 0


def cmd_cohort_list(_: argparse.Namespace) -> int:
    from bot.accounts.cohorts import Cohorts
    from bot.accounts.db import AppDB

    cohorts = Cohorts(AppDB()).list()
    for c in cohorts:
        state = "active" if c.active else "revoked"
        print(f"#{c.id}\t{c.name}\t{state}\t{c.students} student(s)")
    if not cohorts:
        print("no cohorts yet: sptrainer cohort add NAME", file=sys.stderr)
    return 0


def cmd_cohort_revoke(args: argparse.Namespace) -> int:
    from bot.accounts.cohorts import Cohorts
    from bot.accounts.db import AppDB

    store = Cohorts(AppDB())
    try:
        cohort = store.find(args.cohort)
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if cohort is None:
        print(f"error: no cohort {args.cohort!r} (give its #id or the name of an active one: sptrainer cohort list)",
              file=sys.stderr)
        return 1
    ended = store.revoke(cohort.id)
    print(f"revoked cohort #{cohort.id} {cohort.name!r}: its code no longer signs in; {ended} session(s) ended "
          "(its students' interviews stay)")
    return 0


def add_cohort_commands(sub: "argparse._SubParsersAction") -> None:
    """Register ``sptrainer cohort add|list|revoke`` on the top-level sub-command parser."""
    cohort = sub.add_parser("cohort", help="student cohorts and their access codes")
    cohort_sub = cohort.add_subparsers(dest="cohort_command", required=True)
    add = cohort_sub.add_parser("add", help="create a cohort and print its access code (shown once)")
    add.add_argument("name")
    add.set_defaults(func=cmd_cohort_add)
    lst = cohort_sub.add_parser("list", help="list cohorts, active first")
    lst.set_defaults(func=cmd_cohort_list)
    revoke = cohort_sub.add_parser("revoke", help="refuse a cohort's code and end its students' sessions")
    revoke.add_argument("cohort", help="#id or the name of an active cohort")
    revoke.set_defaults(func=cmd_cohort_revoke)
