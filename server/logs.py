"""JSON-lines logging for the server process (configured by the CLI, never at import)."""

from __future__ import annotations

import json
import logging
import logging.config
import threading
import time
from datetime import UTC, datetime
from typing import Any, TextIO

_STD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, plus any ``extra=`` fields."""


    _encoder = json.JSONEncoder(default=str, ensure_ascii=False)  # stateless: safe to share
    _second: tuple[int, str] = (-1, "")  # (whole second, its ISO text): one datetime per second, not per line

    def _ts(self, created: float) -> str:
        second = int(created)
        if second != self._second[0]:
            self._second = (second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S"))
        return f"{self._second[1]}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": self._ts(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return self._encoder.encode(out)


class BatchedStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A StreamHandler that writes INFO and DEBUG lines in batches, at least every ``interval_s``.

    One line per request meant one ``write`` system call per request (stderr is line-buffered),
    a few per cent of a check-in's CPU. Lines are queued and written together by a daemon thread,
    when ``max_lines`` are queued, or at once with any WARNING or worse (which is written after
    the lines queued before it, so the order holds). ``flush()`` (also run at exit by
    ``logging.shutdown``) writes what is queued; a killed process loses at most ``interval_s`` of
    INFO lines.
    """

    def __init__(self, stream: TextIO | None = None, interval_s: float = 0.2, max_lines: int = 512) -> None:
        super().__init__(stream)
        self.interval_s = interval_s
        self.max_lines = max_lines
        self._lines: list[str] = []
        self._flusher: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called with self.lock held (Handler.handle)
        try:
            self._lines.append(self.format(record))
            if record.levelno >= logging.WARNING or len(self._lines) >= self.max_lines:
                self._write()
            elif self._flusher is None:
                self._flusher = threading.Thread(target=self._run, name="log-flush", daemon=True)
                self._flusher.start()
        except Exception:
            self.handleError(record)

    def _write(self) -> None:
        if self._lines:
            text = self.terminator.join(self._lines) + self.terminator
            self._lines.clear()
            self.stream.write(text)
        if self.stream and hasattr(self.stream, "flush"):
            self.stream.flush()

    def flush(self) -> None:
        with self.lock:
            try:
                self._write()
            except (OSError, ValueError):  # stream closed at exit: nothing more to do
                self._lines.clear()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval_s)
            if self._lines:
                self.flush()


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for uvicorn (applied in every worker process too)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "server.logs.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "server.logs.BatchedStreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # server.middleware writes one line per request instead
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure_json_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(log_config(level))
