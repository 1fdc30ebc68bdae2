#!/usr/bin/env python3
"""Appeal packet export against a plain pypdf merge of the same files.

    bench/packet_export.py --runs 5

Generates 50 synthetic exhibits of 500 pages in all (text-heavy pages, and a few exhibits of
scanned-looking image pages so the input weighs several MB), then times, each in a fresh
process: a plain merge (PdfWriter.append of every file, then write) and export_packet (letter,
index, the 50 exhibits stamped, chronology, bookmarks; no split). Prints medians, the ratio,
and peak memory against the input's size. Targets from the packet issue: export within 3x the
plain merge; peak memory below 2x the input's size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXHIBITS = 50
PAGES = 500
SCANNED = 4  # exhibits (spread through the packet) whose pages are page-sized scans

CHILD = r"""
import json, os, sys, time, tracemalloc
from pathlib import Path
mode, folder, trace = sys.argv[1], Path(sys.argv[2]), sys.argv[3] == "trace"
from pypdf import PdfWriter
from datetime import datetime, timedelta
from claimdesk.packets import ChronologyEntry, Exhibit, PacketOptions, PacketSource, export_packet

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024
    return 0

files = sorted(folder.glob("exhibit-*.pdf"))
out = folder / f"out-{mode}-{os.getpid()}.pdf"
baseline = rss("VmRSS:")
if trace:
    tracemalloc.start()
started = time.perf_counter()
if mode == "merge":
    writer = PdfWriter()
    for path in files:
        writer.append(str(path))
    with out.open("wb") as stream:
        writer.write(stream)
else:
    start = datetime(2026, 1, 5, 9, 0)
    chronology = [
        ChronologyEntry(start + timedelta(days=n, hours=n % 7), "Call" if n % 3 else "Request sent",
                        f"Agent {n} (ID {4400 + n}); Acme Health Plan", f"REF-{1000 + n}",
                        "Asked for the reviewer's report and the criteria applied. " * 2)
        for n in range(60)
    ]
    exhibits = [
        Exhibit(f"Exhibit file {n + 1}", f"2026-02-{n % 28 + 1:02d}", path.name,
                "application/pdf", path.read_bytes)
        for n, path in enumerate(files)
    ]
    source = PacketSource("CD-2026-0001", "Bench Claimant",
                          (folder / "letter.pdf").read_bytes(), exhibits, chronology)
    export_packet(source, out, PacketOptions(stamp_prefix="CD-2026-0001", paper="Letter"))
elapsed = time.perf_counter() - started
traced = tracemalloc.get_traced_memory()[1] if trace else 0
print(json.dumps({"seconds": elapsed, "rss_peak": rss("VmHWM:"), "rss_base": baseline,
                  "traced_peak": traced, "out_bytes": out.stat().st_size}))
out.unlink()
"""


def make_inputs(folder: Path, scanned: int = SCANNED) -> int:
    """Write the exhibits and a letter into ``folder``; return the exhibits' total bytes."""
    from fpdf import FPDF
    from PIL import Image

    rng = random.Random(7)
    words = ("claim", "denial", "medical", "necessity", "reviewer", "criteria", "guideline",
             "cardiology", "ablation", "arrhythmia", "appeal", "policy", "bulletin", "treatment",
             "physician", "report", "examination", "records", "benefit", "evidence")  # fmt: skip
    counts = [10] * EXHIBITS
    for n in range(0, EXHIBITS, 2):  # vary the lengths: 4..16 pages, still 500 in all
        shift = rng.randrange(7)
        counts[n] += shift
        counts[n + 1] -= shift

    def scan(number: int) -> Path:
        """A page-sized greyscale 'scan' (150 dpi), different on every page like a real one."""
        image = Image.effect_noise((1275, 1650), 30 + number % 20).point(lambda v: 205 + v // 6)
        path = folder / f"scan-{number}.jpg"
        image.save(path, quality=60)
        return path

    step = EXHIBITS / scanned if scanned else 0
    scans = {int(4 + k * step) % EXHIBITS for k in range(scanned)}
    total = 0
    for n, count in enumerate(counts):
        pdf = FPDF(format="letter")
        pdf.set_auto_page_break(True, margin=20)
        for page in range(count):
            pdf.add_page()
            if n in scans:
                picture = scan(n * 100 + page)
                pdf.image(str(picture), x=0, y=0, w=pdf.w, h=pdf.h)
                picture.unlink()
                continue
            pdf.set_font("helvetica", "B", 13)
            pdf.cell(0, 10, f"Exhibit file {n + 1}, page {page + 1}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("helvetica", size=9.5)
            text = " ".join(rng.choice(words) for _ in range(650))
            pdf.multi_cell(0, 4.6, text, new_x="LMARGIN", new_y="NEXT")
        path = folder / f"exhibit-{n:02d}.pdf"
        pdf.output(str(path))
        total += path.stat().st_size
    letter = FPDF(format="letter")
    letter.set_font("helvetica", size=11)
    for _ in range(3):
        letter.add_page()
        letter.multi_cell(0, 5, " ".join(rng.choice(words) for _ in range(400)))
    letter.output(str(folder / "letter.pdf"))
    return total


def run_once(mode: str, folder: Path, trace: bool) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), "trace" if trace else "time"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--scanned",
        type=int,
        default=SCANNED,
        metavar="N",
        help=f"how many of the {EXHIBITS} exhibits are scans ({SCANNED}; real files hold more)",
    )
    args = parser.parse_args()
    mb = 1_000_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        input_bytes = make_inputs(folder, args.scanned)
        print(
            f"input: {EXHIBITS} exhibits ({args.scanned} of them scans), {PAGES} pages, "
            f"{input_bytes / mb:.1f} MB"
        )
        modes = (("merge", "plain pypdf merge"), ("packet", "export_packet"))
        for mode, _ in modes:
            run_once(mode, folder, False)  # warm the disk cache and the imports
        # Alternate the two, so a busy moment on the machine hits both alike.
        runs: dict[str, list[dict[str, float]]] = {mode: [] for mode, _ in modes}
        for _ in range(args.runs):
            for mode, _ in modes:
                runs[mode].append(run_once(mode, folder, False))
        results = {}
        for mode, label in modes:
            traced = run_once(mode, folder, True)["traced_peak"]
            seconds = statistics.median(r["seconds"] for r in runs[mode])
            grown = max(r["rss_peak"] - r["rss_base"] for r in runs[mode])
            results[mode] = (seconds, grown, traced)
            print(
                f"{label:<18} median {seconds * 1000:6.0f} ms   "
                f"peak RSS growth {grown / mb:5.1f} MB ({grown / input_bytes:.2f}x input)   "
                f"tracemalloc peak {traced / mb:5.1f} MB ({traced / input_bytes:.2f}x input)   "
                f"output {runs[mode][0]['out_bytes'] / mb:.1f} MB   ({args.runs} runs)"
            )
        (merge, _, _), (packet, grown, traced_peak) = results["merge"], results["packet"]
        print(
            f"packet vs merge: {packet / merge:.2f}x time (target <= 3x); peak memory "
            f"{grown / input_bytes:.2f}x input by RSS, {traced_peak / input_bytes:.2f}x by "
            "tracemalloc (target < 2x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
