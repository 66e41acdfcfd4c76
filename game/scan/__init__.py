"""The AR hunt's client side: pose of the found logo, the vision worker, the hunt's state, posters.

Everything here uses only the vision engine's public API (``open_source``, ``MarkerDetector``,
``MarkerTracker``, ``Detection``); pygame drawing lives in ``game.ui.ar_figure`` and ``scenes.scan``.
"""
