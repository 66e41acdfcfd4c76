"""A recorded run: everything needed to play it again frame for frame, as one JSON file.

The header holds the command line (without the QA flags), the seed, the clock at the start, the
local progress database as it was at the start, and versions. The body holds, per frame: the dt the
frame ran with (run-length encoded), every input ``Action``, every clock jump, every camera change,
and the frame at which the scroll painting became available. A live camera's frames (``--record`` with a
webcam or a video file) are in lossless video files beside it, and the JSON says which of them the scan
screen took on which frame (``CameraOpening``; game/qa/vision.py).
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from array import array
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from game.actions import Action, Kind

FORMAT = "cloud-tour-recording"
VERSION = 1


def action_to_json(action: Action) -> dict[str, object]:
    out: dict[str, object] = {"kind": action.kind.value}
    default = Action(action.kind)
    for key, value in asdict(action).items():
        if key != "kind" and value != getattr(default, key):
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def action_from_json(data: dict[str, object]) -> Action:
    pos = data.get("pos")
    delta = data.get("delta", (0.0, 0.0))
    return Action(
        Kind(str(data["kind"])),
        pos=(float(pos[0]), float(pos[1])) if isinstance(pos, list) else None,
        delta=(float(delta[0]), float(delta[1])),  # type: ignore[index]
        pointer=int(data.get("pointer", 0)),  # type: ignore[arg-type]
        pressed=bool(data.get("pressed", True)),
        text=str(data.get("text", "")),
    )


@dataclass
class CameraOpening:
    """One opening of the scan screen's camera in a recorded run, with every frame its worker processed."""

    name: str  # the source's name (the overlay shows it)
    mirror: bool  # the preview is mirrored (a webcam)
    synthetic: bool  # the demo camera ran (the scene says so on screen)
    stamps: list[tuple[float, int]] = field(default_factory=list)  # per processed frame: (timestamp, index)
    takes: list[tuple[int, int, int]] = field(default_factory=list)  # (game frame, call in that frame, frame seq)
    status: list[tuple[int, str]] = field(default_factory=list)  # (game frame, the status the scene read)
    segments: list[tuple[str, int]] = field(default_factory=list)  # (video file, frames in it), in order

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "mirror": self.mirror, "synthetic": self.synthetic,
                "stamps": [list(s) for s in self.stamps], "takes": [list(t) for t in self.takes],
                "status": [list(s) for s in self.status], "segments": [list(s) for s in self.segments]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CameraOpening:
        return cls(
            name=str(data["name"]), mirror=bool(data["mirror"]), synthetic=bool(data["synthetic"]),
            stamps=[(float(t), int(i)) for t, i in data["stamps"]],  # type: ignore[attr-defined]
            takes=[(int(f), int(c), int(s)) for f, c, s in data["takes"]],  # type: ignore[attr-defined]
            status=[(int(f), str(s)) for f, s in data["status"]],  # type: ignore[attr-defined]
            segments=[(str(p), int(n)) for p, n in data["segments"]],  # type: ignore[attr-defined]
        )


class RecordingError(Exception):
    """Not a recording this build can play; ``str()`` is one line."""


@dataclass
class Recording:
    argv: list[str]
    seed: int
    clock_start: datetime
    headless: bool
    progress_db: bytes | None = None  # the SQLite file at the start
    versions: dict[str, object] = field(default_factory=dict)
    dts: array = field(default_factory=lambda: array("d"))  # type: ignore[type-arg]  # each frame's dt (8 bytes)
    actions: list[tuple[int, Action]] = field(default_factory=list)
    clock: list[tuple[int, datetime]] = field(default_factory=list)
    camera: list[tuple[int, str]] = field(default_factory=list)
    art_ready: int | None = None  # first frame at which the scroll painting could be used
    rng_state: list[object] | None = None  # the game's random generator, when the recording starts mid-run
    end: str = "running"  # "quit" | "crash" | "report" (F12) | "running"
    crash: str = ""
    # a live camera's frames (--record): one entry per opening of the camera; their video files are
    # named relative to ``folder`` (the recording file's folder)
    camera_frames: list[CameraOpening] = field(default_factory=list)
    folder: Path = field(default_factory=Path)

    @property
    def frames(self) -> int:
        return len(self.dts)

    def add_frame(self, dt: float) -> None:
        self.dts.append(dt)

    def frame_dts(self) -> list[float]:
        return list(self.dts)

    def _dt_runs(self) -> list[list[float]]:
        """[[dt, count], ...]: headless runs are one run of 1/60 s."""
        runs: list[list[float]] = []
        for dt in self.dts:
            if runs and runs[-1][0] == dt:
                runs[-1][1] += 1
            else:
                runs.append([dt, 1])
        return runs

    def to_json(self) -> dict[str, object]:
        db = base64.b64encode(zlib.compress(self.progress_db, 6)).decode() if self.progress_db is not None else None
        return {
            "format": FORMAT, "version": VERSION, "argv": self.argv, "seed": self.seed,
            "clock_start": self.clock_start.isoformat(), "headless": self.headless, "versions": self.versions,
            "frames": self.frames, "dt": self._dt_runs(), "rng_state": self.rng_state,
            "actions": [[f, action_to_json(a)] for f, a in self.actions],
            "clock": [[f, when.isoformat()] for f, when in self.clock],
            "camera": [[f, subject] for f, subject in self.camera],
            "art_ready": self.art_ready, "end": self.end, "crash": self.crash, "progress_db": db,
            "camera_frames": [o.to_json() for o in self.camera_frames],
        }

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.to_json()
        for opening in data["camera_frames"]:  # type: ignore[attr-defined]
            opening["segments"] = [[Path(os.path.relpath(self.folder.absolute() / name, path.parent.absolute())).as_posix(), n]
                                   for name, n in opening["segments"]]
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Recording:
        if data.get("format") != FORMAT:
            raise RecordingError("not a Cloud Tour recording (no \"format\": \"cloud-tour-recording\")")
        if data.get("version") != VERSION:
            raise RecordingError(f"recording version {data.get('version')!r}; this build plays version {VERSION}")
        try:
            db = data.get("progress_db")
            rec = cls(
                argv=[str(a) for a in data["argv"]],  # type: ignore[attr-defined]
                seed=int(data["seed"]),  # type: ignore[arg-type]
                clock_start=datetime.fromisoformat(str(data["clock_start"])),
                headless=bool(data["headless"]),
                progress_db=zlib.decompress(base64.b64decode(str(db))) if db else None,
                versions=dict(data.get("versions") or {}),  # type: ignore[call-overload]
                dts=array("d", [float(dt) for dt, n in data["dt"] for _ in range(int(n))]),  # type: ignore[attr-defined]
                rng_state=data.get("rng_state"),  # type: ignore[arg-type]
                actions=[(int(f), action_from_json(a)) for f, a in data["actions"]],  # type: ignore[attr-defined]
                clock=[(int(f), datetime.fromisoformat(w)) for f, w in data.get("clock", [])],  # type: ignore[attr-defined]
                camera=[(int(f), str(s)) for f, s in data.get("camera", [])],  # type: ignore[attr-defined]
                art_ready=data.get("art_ready"),  # type: ignore[arg-type]
                end=str(data.get("end", "quit")),
                crash=str(data.get("crash", "")),
                camera_frames=[CameraOpening.from_json(o) for o in data.get("camera_frames", [])],  # type: ignore[attr-defined]
            )
            if rec.frames != int(data["frames"]):  # type: ignore[arg-type]
                raise ValueError(f"{rec.frames} frame times for {data['frames']} frames")
            return rec
        except (KeyError, TypeError, ValueError, zlib.error) as err:
            raise RecordingError(f"damaged recording: {type(err).__name__}: {err}") from None

    @classmethod
    def load(cls, path: Path) -> Recording:
        """A recording file, or a bug bundle folder (its recording.json)."""
        if path.is_dir():
            path = path / "recording.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise RecordingError(f"cannot read {path}: {err.strerror or err}") from None
        except json.JSONDecodeError as err:
            raise RecordingError(f"{path} is not JSON: {err}") from None
        if not isinstance(data, dict):
            raise RecordingError(f"{path} is not a recording")
        rec = cls.from_json(data)
        rec.folder = path.parent
        for opening in rec.camera_frames:
            for name, _ in opening.segments:
                if not (rec.folder / name).is_file():
                    raise RecordingError(f"its camera frames {rec.folder / name} are missing")
        return rec
