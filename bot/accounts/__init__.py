"""The web app's accounts and records: users (students, assessors, educators), sign-in
sessions, conversation records and score overrides, in a SQLite database with versioned
migrations (bot/accounts/db.py)."""
from bot.accounts.db import AppDB, app_db_path, migrate, schema_version
from bot.accounts.records import Records, new_conversation_id
from bot.accounts.users import ROLES, STAFF_ROLES, AccountError, Sessions, User, Users

__all__ = ["AccountError", "AppDB", "ROLES", "Records", "STAFF_ROLES", "Sessions", "User", "Users",
           "app_db_path", "migrate", "new_conversation_id", "schema_version"]
