"""``make qa``: run every scenario in qa/ headless, in both languages, and write an index page of the shots.

    python -m game.qa.gallery [--out build/qa] [--now ISO] [SCENARIO.toml ...]

Each run is ``main.py --headless --script ...`` in its own data dir under ``--out``; the painted scroll
is shared between runs through the scroll cache. ``index.html`` shows each screenshot in Chinese and in
English side by side, with the run's result and the checks (content, missing glyphs) per shot.
Exit 1 if any scenario failed or any shot failed a check.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("zh", "en")
DEFAULT_NOW = "2027-02-10T10:00:00+08:00"  # a fixed start, so the pictures do not change with the day


@dataclass
class Run:
    scenario: Path
    lang: str
    data_dir: Path
    code: int = 0
    seconds: float = 0.0
    stderr: str = ""
    report: dict[str, object] = field(default_factory=dict)

    @property
    def shots(self) -> list[dict[str, object]]:
        return list(self.report.get("shots", []))  # type: ignore[call-overload]

    @property
    def failure(self) -> str | None:
        if self.code == 0:
            return None
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith(str(self.scenario))]
        return lines[-1] if lines else (self.stderr.strip().splitlines() or [f"exit {self.code}"])[-1]


def fixed_lang(path: Path) -> str | None:
    import tomllib

    lang = tomllib.loads(path.read_text(encoding="utf-8")).get("lang")
    return lang if lang in LANGS else None


def scenario_args(scenario: Path, lang: str, data_dir: Path, now: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), "--headless", "--server", "offline", "--script", str(scenario),
            "--lang", lang, "--data-dir", str(data_dir), "--now", now, "--seed", "3"]


def run_one(scenario: Path, lang: str, out: Path, now: str, cache: Path) -> Run:
    data_dir = out / f"{scenario.stem}-{lang}"
    shutil.rmtree(data_dir, ignore_errors=True)
    if cache.is_dir():  # the painted scroll from an earlier run: seconds saved per run
        shutil.copytree(cache, data_dir / "cache")
    started = time.perf_counter()
    proc = subprocess.run(scenario_args(scenario, lang, data_dir, now), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    run = Run(scenario, lang, data_dir, proc.returncode, time.perf_counter() - started, proc.stderr)
    report = data_dir / "screenshots" / "report.json"
    if report.is_file():
        run.report = json.loads(report.read_text(encoding="utf-8"))
    if (data_dir / "cache").is_dir():
        if not cache.is_dir():
            shutil.copytree(data_dir / "cache", cache)
        shutil.rmtree(data_dir / "cache")  # tens of MB per run: only the shared copy is kept
    return run


def shot_problems(shot: dict[str, object]) -> list[str]:
    problems = list(shot.get("content_problems", []))  # type: ignore[call-overload]
    if shot.get("missing_glyphs"):
        problems.append("missing glyphs: " + " ".join(shot["missing_glyphs"]))  # type: ignore[arg-type]
    return problems


def write_index(out: Path, runs: list[Run]) -> Path:
    rows: list[str] = []
    by_scenario: dict[Path, dict[str, Run]] = {}
    for run in runs:
        by_scenario.setdefault(run.scenario, {})[run.lang] = run
    for scenario, per_lang in by_scenario.items():
        first = next(iter(per_lang.values()))
        title = html.escape(str(first.report.get("title") or scenario.stem))
        status = []
        for lang in LANGS:
            run = per_lang.get(lang)
            if run is None:
                continue
            ok = run.failure is None
            text = "passed" if ok else html.escape(run.failure or "")
            status.append(f'<span class="{"ok" if ok else "bad"}">{lang}: {text} ({run.seconds:.0f} s)</span>')
        rows.append(f'<tr class="scenario"><th colspan="3"><code>{html.escape(scenario.name)}</code> {title}<br>'
                    f'{" · ".join(status)}</th></tr>')
        names: list[str] = []
        for run in per_lang.values():
            for shot in run.shots:
                if shot["name"] not in names:
                    names.append(str(shot["name"]))
        for name in names:
            cells = [f'<td class="name">{html.escape(name)}</td>']
            for lang in LANGS:
                run = per_lang.get(lang)
                shot = next((s for s in run.shots if s["name"] == name), None) if run else None
                if run is None or shot is None:
                    cells.append('<td class="none">—</td>')
                    continue
                rel = (run.data_dir / "screenshots" / str(shot["file"])).relative_to(out)
                problems = shot_problems(shot)
                note = ('<div class="bad">' + html.escape("; ".join(problems)) + "</div>") if problems else ""
                meta = html.escape(f"step {shot['step']} · {shot['scene']} · {shot['month_steps']} steps this month")
                cells.append(f'<td><a href="{rel}"><img src="{rel}" loading="lazy"></a>'
                             f'<div class="meta">{meta}</div>{note}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cloud Tour QA scenarios</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; background: #f6f1e7; color: #262422; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ padding: 6px 8px; vertical-align: top; border-bottom: 1px solid #d8ccb4; }}
tr.scenario th {{ text-align: left; background: #ece2cf; padding-top: 14px; }}
td.name {{ width: 12em; font-weight: 600; }}
img {{ width: 100%; max-width: 760px; border: 1px solid #b9ab91; }}
.ok {{ color: #2e7d5b; }} .bad {{ color: #b3261e; font-weight: 600; }}
.meta {{ color: #786e62; font-size: 12px; }}
</style></head><body>
<h1>Cloud Tour QA scenarios</h1>
<p>{len(by_scenario)} scenarios from <code>qa/</code>, each run headless in Chinese and English
(<code>make qa</code>). Click a picture for the full 1920×1080 frame.</p>
<table><tr><th></th><th>中文 (zh)</th><th>English (en)</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m game.qa.gallery", description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path, help="scenario files (default: qa/*.toml)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "qa", help="output folder")
    parser.add_argument("--now", default=DEFAULT_NOW, help="the clock every run starts at")
    ns = parser.parse_args(argv)
    scenarios = ns.scenarios or sorted((ROOT / "qa").glob("*.toml"))
    out = ns.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "_scroll-cache"
    runs = []
    for scenario in scenarios:
        fixed = fixed_lang(scenario)
        for lang in (fixed,) if fixed else LANGS:
            run = run_one(scenario.resolve(), lang, out, ns.now, cache)
            runs.append(run)
            bad = [f"{s['name']}: {'; '.join(shot_problems(s))}" for s in run.shots if shot_problems(s)]
            print(f"{scenario.name} [{lang}] {'ok' if run.failure is None and not bad else 'FAILED'} "
                  f"({len(run.shots)} shots, {run.seconds:.1f} s)" + "".join(f"\n  {x}" for x in [run.failure, *bad]
                                                                             if x))
    index = write_index(out, runs)
    print(f"index: {index}")
    failed = [r for r in runs if r.failure is not None or any(shot_problems(s) for s in r.shots)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
