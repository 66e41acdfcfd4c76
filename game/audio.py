"""Sound cues, made by code (numpy) when the mixer opens, and played through pygame.mixer.

The four cues are original and short: the seal's stamp, a collectible found, a tier reached and the
idle countdown's tick. ``synthesize`` is pure (samples in, samples out); ``Audio`` is the adapter. A
machine without sound (no device, SDL_AUDIODRIVER=dummy, a mixer that fails to open) gets a silent
``Audio``: every call is a no-op, nothing raises.
"""

from __future__ import annotations

import logging
from enum import StrEnum

import numpy as np

log = logging.getLogger(__name__)
RATE = 44_100


class Cue(StrEnum):
    STAMP = "stamp"
    COLLECT = "collect"
    TIER = "tier"
    COUNTDOWN = "countdown"


def _t(seconds: float, rate: int) -> np.ndarray:
    return np.arange(round(seconds * rate)) / rate


def _envelope(n: int, rate: int, attack: float, decay: float) -> np.ndarray:
    """A fast linear attack then an exponential decay (``decay`` = seconds to about -60 dB)."""
    t = np.arange(n) / rate
    env = np.exp(-6.9 * np.maximum(0.0, t - attack) / decay)
    rise = max(1, round(attack * rate))
    env[:rise] *= np.linspace(0.0, 1.0, rise)
    return env


def _bell(freq: float, seconds: float, rate: int, decay: float) -> np.ndarray:
    """A small bell: the fundamental plus inharmonic partials that die away faster."""
    t = _t(seconds, rate)
    tone = np.zeros_like(t)
    for ratio, gain, speed in ((1.0, 1.0, 1.0), (2.76, 0.35, 1.8), (5.4, 0.18, 3.0), (2.0, 0.25, 1.3)):
        tone += gain * np.sin(2 * np.pi * freq * ratio * t) * np.exp(-6.9 * t * speed / decay)
    return tone * _envelope(len(t), rate, 0.004, decay * 3)


def _place(out: np.ndarray, part: np.ndarray, at: float, rate: int) -> None:
    start = round(at * rate)
    end = min(len(out), start + len(part))
    out[start:end] += part[: end - start]


def synthesize(cue: Cue, rate: int = RATE, seed: int = 7) -> np.ndarray:
    """Mono float32 samples in -1..1 for ``cue``, starting and ending at silence (no clicks)."""
    rng = np.random.default_rng(seed)
    if cue is Cue.STAMP:
        # a carved seal pressed onto paper: a low wooden thump, a short papery crush, a tiny rebound
        seconds = 0.32
        t = _t(seconds, rate)
        pitch = 95 * np.exp(-t * 9) + 55
        thump = np.sin(2 * np.pi * np.cumsum(pitch) / rate) * _envelope(len(t), rate, 0.003, 0.16)
        noise = rng.standard_normal(len(t))
        crush = np.convolve(noise, np.ones(32) / 6, mode="same") * _envelope(len(t), rate, 0.001, 0.05)  # dull, low
        knock = np.sin(2 * np.pi * 520 * t) * _envelope(len(t), rate, 0.001, 0.03)
        out = 0.9 * thump + 0.35 * crush + 0.25 * knock
    elif cue is Cue.COLLECT:
        # two quick bells a fifth apart (E6, B6)
        seconds = 0.7
        out = np.zeros(round(seconds * rate))
        _place(out, 0.6 * _bell(1318.5, 0.6, rate, 0.35), 0.0, rate)
        _place(out, 0.55 * _bell(1975.5, 0.55, rate, 0.4), 0.09, rate)
    elif cue is Cue.TIER:
        # a rising pentatonic run (C D E G A C) and a held chord of the last three notes
        seconds = 1.5
        out = np.zeros(round(seconds * rate))
        notes = (523.3, 587.3, 659.3, 784.0, 880.0, 1046.5)
        for i, freq in enumerate(notes):
            _place(out, 0.4 * _bell(freq, 0.5, rate, 0.25), 0.075 * i, rate)
        for freq in notes[-3:]:
            _place(out, 0.3 * _bell(freq, 1.0, rate, 0.7), 0.075 * len(notes), rate)
    elif cue is Cue.COUNTDOWN:
        # a wood-block tick: short, mid-high, not alarming
        seconds = 0.12
        t = _t(seconds, rate)
        out = (np.sin(2 * np.pi * 880 * t) + 0.4 * np.sin(2 * np.pi * 2217 * t)) * _envelope(len(t), rate, 0.002, 0.05)
    else:  # pragma: no cover - the enum is closed
        raise ValueError(cue)
    fade = min(len(out), round(0.01 * rate))  # end on silence
    out[-fade:] *= np.linspace(1.0, 0.0, fade)
    peak = float(np.max(np.abs(out))) or 1.0
    return (out * (0.8 / peak)).astype(np.float32)


class Audio:
    """The cues with a volume (0..1) and a mute. Silent, never failing, when there is no sound device.

    Call after ``pygame.init()`` (or on its own: it opens the mixer if nobody has)."""

    def __init__(self, volume: float = 0.8, mute: bool = False) -> None:
        self.volume = volume
        self.mute = mute
        self._sounds: dict[Cue, object] = {}
        self.available = self._open()
        log.info("sound settings", extra={"volume": self.volume, "mute": self.mute, "device": self.available})

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = min(1.0, max(0.0, float(value)))

    def _open(self) -> bool:
        try:
            import pygame

            if pygame.mixer.get_init() is None:
                pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=512)
            rate, size, channels = pygame.mixer.get_init()
            if size != -16:
                raise RuntimeError(f"unsupported mixer sample format {size}")
            for cue in Cue:
                samples = (synthesize(cue, rate) * 32767).astype(np.int16)
                frames = np.repeat(samples[:, None], channels, axis=1) if channels > 1 else samples
                self._sounds[cue] = pygame.mixer.Sound(buffer=np.ascontiguousarray(frames).tobytes())
        except (RuntimeError, ValueError, OSError) as err:  # pygame.error is a RuntimeError: no device, stay silent
            log.info("sound off: %s", err)
            self._sounds.clear()
            return False
        return True

    def play(self, cue: Cue) -> bool:
        """Play ``cue`` now; True if it was sent to the mixer (False: muted, volume 0 or no sound)."""
        sound = self._sounds.get(cue)
        if sound is None or self.mute or self.volume <= 0.0:
            return False
        try:
            sound.set_volume(self.volume)  # type: ignore[attr-defined]
            sound.play()  # type: ignore[attr-defined]
        except (RuntimeError, OSError) as err:  # a device that went away mid-run: carry on silently
            log.info("sound failed: %s", err)
            return False
        return True

    def length(self, cue: Cue) -> float:
        """Seconds, or 0.0 with no sound."""
        sound = self._sounds.get(cue)
        return float(sound.get_length()) if sound is not None else 0.0  # type: ignore[attr-defined]


class SilentAudio(Audio):
    """What scenes get when nothing set up sound (tests, tools): same calls, no mixer."""

    def __init__(self) -> None:
        self._volume = 0.0
        self.mute = True
        self._sounds = {}
        self.available = False


def audio_of(services: object) -> Audio:
    """The services' ``Audio`` (in ``extras['audio']``), or a silent one."""
    extras = getattr(services, "extras", {})
    audio = extras.get("audio") if isinstance(extras, dict) else None
    return audio if isinstance(audio, Audio) else SilentAudio()
