"""The settings module is the one reader of SPTRAINER_* variables, and docs/settings.md lists them all."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import VARIABLES, SettingError, Settings

ROOT = Path(__file__).resolve().parents[1]


def test_docs_table_lists_exactly_the_variables_the_settings_read():
    documented = set(re.findall(r"^\| `(SPTRAINER_\w+)` \|", (ROOT / "docs" / "settings.md").read_text(), re.M))
    assert documented == set(VARIABLES)


def test_no_module_but_settings_reads_sptrainer_variables():
    readers = []
    for path in (ROOT / "bot").rglob("*.py"):
        if path.name == "settings.py":
            continue
        text = path.read_text()
        if re.search(r"environ(?:\.get)?[\[(]\s*[\"']SPTRAINER_", text) or re.search(r"getenv\([\"']SPTRAINER_", text):
            readers.append(str(path.relative_to(ROOT)))
    assert not readers


def test_defaults_and_derived_paths(tmp_path):
    s = Settings.from_environment({"SPTRAINER_VAR_DIR": str(tmp_path)})
    assert s.app_db == tmp_path / "app.db" and s.tracker_url == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert s.rate_limit is not None and (s.rate_limit.per_second, s.rate_limit.burst) == (2.0, 10)
    assert Settings.from_environment({"SPTRAINER_RATE_LIMIT": "off"}).rate_limit is None
    assert Settings.from_environment({"SPTRAINER_ALLOWED_ORIGINS": "http://a:1/, http://b:2"}).allowed_origins \
        == ("http://a:1", "http://b:2")


@pytest.mark.parametrize("name, value", [("SPTRAINER_HTTP_TIMEOUT", "soon"), ("SPTRAINER_RATE_LIMIT", "fast/x"),
                                         ("SPTRAINER_STUDENT_LOGIN_LIMIT", "many")])
def test_an_unusable_value_names_its_variable(name, value):
    with pytest.raises(SettingError, match=name):
        Settings.from_environment({name: value})
