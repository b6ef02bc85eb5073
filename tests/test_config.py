"""Settings: declared once, documented in the README, read from a mapping or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Config, documented_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("variable", "default", "help_text"), documented_settings())
def test_every_setting_is_in_the_readme_table(variable: str, default: str, help_text: str) -> None:
    row = next((line for line in README.splitlines() if line.startswith(f"| `{variable}` |")), None)
    assert row is not None, f"README's configuration table lacks {variable}"
    assert (f"`{default}`" if default else "(empty)") in row


def test_environment_and_mapping_agree() -> None:
    from_env = Config.from_env({"KZS_BASE_URI": "https://example.org/lod/", "KZS_STORE_PATH": "var/store"})
    from_mapping = Config.from_mapping({"base_uri": "https://example.org/lod/", "store_path": "var/store"})
    assert from_env == from_mapping and from_env.host == "example.org"


@pytest.mark.parametrize("bad", [{"base_uri": "http://example.org"}, {"base_uri": "ftp://x/"}, {"colour": "blue"}])
def test_bad_settings_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        Config.from_mapping(bad)
