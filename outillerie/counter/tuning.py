"""How `outillerie serve` holds up: waitress's limits, the limit of open files, and waitress's log lines
summarised and in French. Plain settings and logging: waitress itself is imported by `server.py` only."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("outillerie.server")

# Waitress's defaults let one client holding 100 idle connections lock everybody else out. Idle connections
# (no request under way) are closed after 20 s, checked every 5 s; poll() instead of select() serves more
# than 1,024 open sockets. A public deployment still goes behind a reverse proxy (README).
CONNECTION_LIMIT = 2000
WAITRESS_TUNING = {"connection_limit": CONNECTION_LIMIT, "channel_timeout": 20, "cleanup_interval": 5,
                   "asyncore_use_poll": True}


def allow_open_files(wanted: int) -> None:
    """Raise this process's limit of open files (one per connection) up to `wanted`, as far as the system allows."""
    try:
        import resource
    except ImportError:  # not on Unix: the system's own limit applies
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class QueueWarnings(logging.Filter):
    """Waitress warns « Task queue depth is N » at every request that waits for a thread (11,849 lines in one
    load test): one French line a minute at most, saying how many were held back and the deepest queue."""

    def __init__(self, every: float = 60.0) -> None:
        super().__init__()
        self.every = every
        self.last: float | None = None
        self.held = 0
        self.deepest = 0

    def filter(self, record: logging.LogRecord) -> bool:
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        self.deepest = max(self.deepest, depth if isinstance(depth, int) else 0)
        now = time.monotonic()
        if self.last is not None and now - self.last < self.every:
            self.held += 1
            return False
        record.msg, record.args = _QUEUE_LINE, (self.deepest,)
        self.last, self.held, self.deepest = now, 0, 0
        return True

    def flush(self) -> None:
        """Say what was held back since the last line (at shutdown)."""
        if self.held:
            log.warning("serveur chargé : %d autre(s) alerte(s) de file d'attente depuis la précédente (jusqu'à %d "
                        "requête(s) en attente).", self.held, self.deepest)
            self.held = self.deepest = 0


class WaitressLogs:
    """Waitress's log lines while a server runs: queue warnings summarised, messages about connections in French."""

    def __init__(self) -> None:
        self.queue = QueueWarnings()
        logging.getLogger("waitress.queue").addFilter(self.queue)
        logging.getLogger("waitress").addFilter(_french_waitress)

    def close(self) -> None:
        self.queue.flush()
        logging.getLogger("waitress.queue").removeFilter(self.queue)
        logging.getLogger("waitress").removeFilter(_french_waitress)


_QUEUE_LINE = ("serveur chargé : %d requête(s) attendent un fil libre. Les alertes suivantes sont regroupées, une "
               "ligne par minute au plus ; si cela dure, placez le serveur derrière un proxy inverse (voir le README).")
_WAITRESS_FRENCH = {
    "total open connections reached the connection limit, no longer accepting new connections":
        "trop de connexions ouvertes : les nouvelles attendent qu'une connexion se ferme.",
    "total open connections dropped below the connection limit, listening again":
        "les connexions ouvertes repassent sous la limite : le serveur accepte de nouveau les connexions.",
}


def _french_waitress(record: logging.LogRecord) -> bool:
    """Waitress's own messages about connections, in French."""
    record.msg = _WAITRESS_FRENCH.get(str(record.msg), record.msg)
    return True
