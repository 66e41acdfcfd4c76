"""String tables (assets/i18n/<lang>.toml) and a translator that can switch language live."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent.parent / "assets" / "i18n"
LANGUAGES = ("zh", "en")
TABLE_FILES = {"zh": "zh-CN.toml", "en": "en.toml"}


def _flatten(prefix: str, value: object, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
    else:
        out[prefix] = str(value)


def load_tables(folder: Path = I18N_DIR) -> dict[str, dict[str, str]]:
    tables: dict[str, dict[str, str]] = {}
    for lang, name in TABLE_FILES.items():
        flat: dict[str, str] = {}
        _flatten("", tomllib.loads((folder / name).read_text(encoding="utf-8")), flat)
        tables[lang] = flat
    return tables


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass
class Translator:
    """``t("map.title")`` in the current language; a missing key shows the key, never crashes."""

    tables: Mapping[str, Mapping[str, str]]
    lang: str = "zh"
    missing: set[str] = field(default_factory=set)

    def set_lang(self, lang: str) -> None:
        if lang not in self.tables:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(self.tables)}")
        self.lang = lang

    def toggle(self) -> str:
        order = list(self.tables)
        self.lang = order[(order.index(self.lang) + 1) % len(order)]
        return self.lang

    def t(self, key: str, **values: object) -> str:
        return self.t_in(self.lang, key, **values)

    def t_in(self, lang: str, key: str, **values: object) -> str:
        """``t`` in a given language (bilingual lines show both, whatever the current one is)."""
        text = self.tables[lang].get(key)
        if text is None:
            self.missing.add(key)
            return key
        return text.format(**values) if values else text
