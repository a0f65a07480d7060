"""The heavy hostile sheets of tests/hostile.py, measured: the CPU time of each command on a library of five valid
sheets plus one heavy kind, as a person runs them (the installed `outillerie`, one after the other).

CPU seconds (user + system of the command) rather than wall time: the machine is shared, and a command that
reads in linear time costs a few seconds of CPU for a megabyte, where a quadratic one costs minutes.

    python bench/hostile_bench.py [--limit SECONDS] [KIND ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile import kinds, write_valid

COMMANDS = (("check",), ("index",), ("search", "médiation numérique"), ("export", "--no-pdf"))


def measure(executable: str, root: Path, args: tuple[str, ...], limit: float) -> str:
    """« 1.2 s » of CPU, or « > limit s » when the command was stopped."""
    extra = ["--output", str(root.parent / f"{root.name}-site")] if args[0] == "export" else []
    process = subprocess.Popen([executable, "--library", str(root), *args, *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    while True:
        pid, _, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return f"{usage.ru_utime + usage.ru_stime:.1f} s"
        if time.monotonic() - started > limit:
            process.kill()
            os.wait4(process.pid, 0)
            return f"> {limit:.0f} s"
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", help="kinds to measure (default: the heavy ones)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds before a command is stopped")
    options = parser.parse_args()
    executable = shutil.which("outillerie", path=str(Path(sys.executable).parent)) or "outillerie"
    chosen = [kind for kind in kinds() if (kind.name in options.kinds if options.kinds else kind.alone)]
    print("| sorte | " + " | ".join(" ".join(command) for command in COMMANDS) + " |")
    print("|---|" + "---:|" * len(COMMANDS))
    with tempfile.TemporaryDirectory() as folder:
        for kind in chosen:
            root = Path(folder) / kind.name
            write_valid(root / "resources")
            kind.write(root / "resources", root / "resources" / kind.folder_name)
            times = [measure(executable, root, command, options.limit) for command in COMMANDS]
            print(f"| {kind.name} | " + " | ".join(times) + " |", flush=True)


if __name__ == "__main__":
    main()
