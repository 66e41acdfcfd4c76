"""Sound cues: made by code, short and click-free; played through the real SDL mixer (dummy driver);
a machine whose mixer cannot open stays silent without an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pygame
import pytest

from game.audio import RATE, Audio, Cue, SilentAudio, audio_of, synthesize

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("cue", list(Cue))
def test_each_cue_is_short_in_range_and_starts_and_ends_silent(cue: Cue) -> None:
    samples = synthesize(cue)
    seconds = len(samples) / RATE
    assert 0.05 <= seconds <= 2.0
    assert np.max(np.abs(samples)) <= 0.81
    assert np.sqrt(np.mean(samples**2)) > 0.02, "audible"
    assert abs(samples[0]) < 0.05 and abs(samples[-1]) < 1e-3, "no click at either end"


def test_the_cues_sound_different() -> None:
    def brightest(cue: Cue) -> float:
        samples = synthesize(cue)
        power = np.abs(np.fft.rfft(samples)) ** 2
        freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
        return float(np.sum(freqs * power) / np.sum(power))  # where the energy sits

    stamp, collect = brightest(Cue.STAMP), brightest(Cue.COLLECT)
    assert stamp < collect / 2, "the stamp is a low thump, the collect a bright bell"
    assert len(synthesize(Cue.TIER)) > len(synthesize(Cue.COLLECT)) > len(synthesize(Cue.COUNTDOWN))


def test_cues_play_through_the_mixer_and_obey_volume_and_mute() -> None:
    pygame.mixer.quit()
    audio = Audio(volume=0.5)
    try:
        assert audio.available
        assert all(audio.length(cue) > 0.05 for cue in Cue)
        assert audio.play(Cue.STAMP)
        audio.mute = True
        assert not audio.play(Cue.STAMP)
        audio.mute = False
        audio.volume = -3
        assert audio.volume == 0.0 and not audio.play(Cue.COUNTDOWN)
        audio.volume = 7
        assert audio.volume == 1.0 and audio.play(Cue.TIER)
    finally:
        pygame.mixer.quit()


def test_no_sound_device_means_silence_not_an_error() -> None:
    code = ("import pygame; pygame.init(); from game.audio import Audio, Cue; a = Audio(); "
            "print(a.available, [a.play(c) for c in Cue])")
    env = {**os.environ, "SDL_AUDIODRIVER": "no-such-driver"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False [False, False, False, False]"


def test_scenes_without_sound_set_up_get_a_silent_audio() -> None:
    from types import SimpleNamespace

    audio = audio_of(SimpleNamespace(extras={}))
    assert isinstance(audio, SilentAudio) and not audio.play(Cue.STAMP)
