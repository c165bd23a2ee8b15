"""Whole-process ``onrecord analyze --jobs 1`` against ``--jobs 2`` on PolNeAR dev, one run each.

What a user waits for: each run is a fresh ``onrecord analyze --format jsonl`` process (imports, model
loading, reading, language checks, analysis, writing), timed wall-clock. While it runs, every process
of its tree is sampled for its peak RSS (``VmHWM`` in /proc/PID/status), so the table shows the main
process and each worker. Forked workers share the model loaded by the main process copy-on-write, so
their RSS counts pages that are also the parent's; PSS (``Pss`` in /proc/PID/smaps_rollup, at the
last sample) splits shared pages between the processes sharing them and is printed too.

CPU s is the user + system time of the whole process tree: on a busy machine it shows what the
runs cost even when the wall-clock ratio only measures the other load. Both runs must write the
same records (checked). The bar: ``--jobs 2`` at least 1.7x as fast as
``--jobs 1`` on two free cores; on a busy machine the ratio says little (see docs/benchmarks.md).

    python bench/jobs.py [--polnear DIR] [--limit K] [--jobs 1 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl

SPEEDUP_BAR = 1.7
SAMPLE_SECONDS = 0.1


def _status_kib(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _pss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            tasks = Path(f"/proc/{parent}/task").iterdir()
            children = [int(c) for t in tasks for c in (t / "children").read_text().split()]
        except OSError:
            continue
        found.extend(children)
        queue.extend(children)
    return found


def run_analyze(jobs: int, input_path: Path, output: Path) -> dict[str, Any]:
    """One whole ``onrecord analyze`` process; wall time and each process's peak RSS and last PSS."""
    command = [
        sys.executable, "-c", "from onrecord.cli import main; main()", "analyze",
        "--format", "jsonl", "--jobs", str(jobs), "--output", str(output), str(input_path),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    pss: dict[int, int] = {}
    while process.poll() is None:
        for pid in [process.pid, *_descendants(process.pid)]:
            hwm, share = _status_kib(pid, "VmHWM"), _pss_kib(pid)
            if hwm is not None:
                peaks[pid] = max(peaks.get(pid, 0), hwm)
            if share is not None:
                pss[pid] = share
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the whole tree: workers are reaped by their parent
    cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stderr = process.stderr.read() if process.stderr else ""
    workers = [pid for pid in peaks if pid != process.pid]
    return {
        "jobs": jobs,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "exit_status": process.returncode,
        "stderr_tail": stderr.strip().splitlines()[-3:],
        "main_peak_rss_mib": peaks.get(process.pid, 0) / 1024,
        "main_pss_mib": pss.get(process.pid, 0) / 1024,
        "worker_peak_rss_mib": [peaks[pid] / 1024 for pid in workers],
        "worker_pss_mib": [pss.get(pid, 0) / 1024 for pid in workers],
    }


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def format_table(figures: dict[str, Any]) -> str:
    lines = [
        f"PolNeAR dev: {figures['articles']} articles, {figures['words']:,} words; "
        f"{figures['cpu_count']} CPUs; load average before: {figures['load_before']}",
        "",
        f"{'onrecord analyze':<18}{'wall s':>8}{'CPU s':>8}{'words/s':>9}{'main RSS':>10}{'main PSS':>10}"
        "  workers' peak RSS (PSS) MiB",
    ]
    for row in figures["runs"]:
        workers = ", ".join(
            f"{rss:.0f} ({pss:.0f})" for rss, pss in zip(row["worker_peak_rss_mib"], row["worker_pss_mib"], strict=True)
        )
        lines.append(
            f"{'--jobs ' + str(row['jobs']):<18}{row['seconds']:>8.2f}{row['cpu_seconds']:>8.2f}"
            f"{figures['words'] / row['seconds']:>9,.0f}"
            f"{row['main_peak_rss_mib']:>10.0f}{row['main_pss_mib']:>10.0f}  {workers or '-'}"
        )
        if row["exit_status"] != 0:
            lines.append(f"  exit status {row['exit_status']}: {' / '.join(row['stderr_tail'])}")
    if figures.get("speedup") is not None:
        verdict = "PASS" if figures["speedup"] >= SPEEDUP_BAR else "FAIL (meaningful on free cores only)"
        lines += ["", f"speed-up --jobs 2 over --jobs 1: {figures['speedup']:.2f}x (bar >= {SPEEDUP_BAR}: {verdict})"]
    lines.append(f"same records from every run: {figures['same_records']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polnear", type=Path, default=None, help=f"PolNeAR folder (default: {default_polnear_dir()})")
    parser.add_argument("--limit", type=int, default=None, help="only the first K dev articles (quick runs)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values to run, in order")
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="onrecord-bench-jobs-") as folder:
        input_path = Path(folder) / "polnear-dev.jsonl"
        try:
            count = write_polnear_jsonl(input_path, args.polnear, ["dev"], args.limit)
        except FileNotFoundError as exc:
            sys.exit(f"bench/jobs.py: {exc}")
        lines = input_path.read_text(encoding="utf-8").splitlines()
        words = sum(len(json.loads(line)["text"].split()) for line in lines)
        figures: dict[str, Any] = {
            "articles": count,
            "words": words,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "runs": [],
        }
        outputs = []
        for jobs in args.jobs:
            output = Path(folder) / f"out-{jobs}.jsonl"
            figures["runs"].append(run_analyze(jobs, input_path, output))
            outputs.append(_records(output) if output.is_file() else None)
        figures["same_records"] = all(o is not None and o == outputs[0] for o in outputs)
        by_jobs = {row["jobs"]: row["seconds"] for row in figures["runs"]}
        figures["speedup"] = by_jobs[1] / by_jobs[2] if 1 in by_jobs and 2 in by_jobs else None
    print(format_table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures saved to {args.json}")


if __name__ == "__main__":
    main()
