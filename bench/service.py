"""The service under load: four clients, 200 mixed requests over loopback, and the latency of
status calls while a generation runs. Figures go to bench/results/service.*.

`python -m bench.service` starts the real engine (`partsmith serve`, the embedded model unless the
settings choose another) as its own process, as a front end would; the tests run the same load
against a scripted model.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import percentile, write
from partsmith.client.client import Client, EngineError

PROMPTS = ["a 40 x 30 x 5 mm plate with four 4 mm holes", "an M6 hex nut", "a 25 mm cube",
           "a tube 50 mm long, 10 mm outer diameter, 2 mm wall"]


@dataclass
class Load:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)  # jobs that should each make one entry
    status_ms: list[float] = field(default_factory=list)  # status calls while the model worked
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int, error: str | None = None) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            if error:
                self.errors.append(error)


def _one_client(home: Path, seed: int, count: int, base_entry: str, load: Load) -> None:
    rng = random.Random(seed)
    client = Client(home=home, timeout_s=120)
    current: str | None = None
    for number in range(count):
        roll = rng.random()
        began = time.perf_counter()
        try:
            if roll < 0.1 or (number == 0 and seed == 0):
                job = client.submit("generate", prompt=rng.choice(PROMPTS))
                current = job["id"]
                with load.lock:
                    load.jobs.append(job["id"])
            elif roll < 0.3:
                job = client.submit("rerun", entry_id=base_entry, params={"length": rng.randint(20, 90)})
                with load.lock:
                    load.jobs.append(job["id"])
            elif roll < 0.5:
                client.search(rng.choice(["the plate", "a nut", "cube", "tube"]))
            elif current is not None:
                status = client.job(current)
                took = (time.perf_counter() - began) * 1000
                if status["state"] == "running" and status["stage"] in {"generating", "repairing"}:
                    with load.lock:
                        load.status_ms.append(took)
            else:
                client.health()
            load.note(200)
        except EngineError as exc:
            load.note(exc.status or 0, f"{exc.status}: {exc.message}")
        time.sleep(rng.uniform(0.0, 0.05))


def run_load(home: Path, base_entry: str, clients: int = 4, total: int = 200) -> Load:
    """`total` mixed requests from `clients` threads; then waits for every job to end."""
    load = Load()
    threads = [threading.Thread(target=_one_client, args=(home, seed, total // clients, base_entry, load))
               for seed in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client = Client(home=home, timeout_s=120)
    for job_id in load.jobs:
        client.wait(job_id, timeout_s=600)
    return load


def poll_during_generation(home: Path, generations: int = 3) -> list[float]:
    """Status calls every 20 ms while a generation runs (only the ones that land mid-generation)."""
    client = Client(home=home, timeout_s=120)
    latencies = []
    for number in range(generations):
        job = client.submit("generate", prompt=PROMPTS[number % len(PROMPTS)])
        while True:
            began = time.perf_counter()
            status = client.job(job["id"])
            took = (time.perf_counter() - began) * 1000
            if status["state"] in {"done", "failed", "cancelled"}:
                break
            if status["stage"] in {"generating", "repairing"}:
                latencies.append(took)
            time.sleep(0.02)
    return latencies


def check(load: Load, home: Path) -> dict[str, Any]:
    """What the load left: every job's entry once in the history, and nothing else."""
    client = Client(home=home)
    finals = [client.job(job_id) for job_id in load.jobs]
    made = [f["entry"]["id"] for f in finals if f["state"] == "done"]
    listed = [row["id"] for row in client.history(500)]
    failed = [f["error"] for f in finals if f["state"] != "done"]
    return {"jobs": len(finals), "done": len(made), "failed": failed,
            "entries_listed": len(listed), "duplicates": len(listed) - len(set(listed)),
            "missing": sorted(set(made) - set(listed))}


def main(argv: list[str] | None = None) -> None:
    import sys
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        client = Client(home=home, start_command=f"{sys.executable} -m partsmith serve", timeout_s=120)
        client.connect(wait_s=300)
        try:
            base = client.wait(client.submit("generate", prompt=PROMPTS[0])["id"])["entry"]["id"]
            began = time.perf_counter()
            load = run_load(home, base, total=args.requests)
            seconds = time.perf_counter() - began
            result = check(load, home)
            load.status_ms += poll_during_generation(home)
            model = client.health()["model"]
        finally:
            if client.started is not None:
                client.started.terminate()
                client.started.wait(timeout=60)
    figures = {
        "model": model, "requests": load.requests, "seconds": round(seconds, 1),
        "statuses": dict(load.statuses), "status_during_generation_ms": {
            "count": len(load.status_ms), "p50": percentile(load.status_ms, 50) if load.status_ms else None,
            "p95": percentile(load.status_ms, 95) if load.status_ms else None},
        **result,
    }
    p95 = figures["status_during_generation_ms"]["p95"]
    table = (
        f"Service load ({model}): 4 clients, {load.requests} requests in {seconds:.0f} s\n\n"
        "| figure | value | target |\n|---|---|---|\n"
        f"| status call p95 while the model generates | {p95 or float('nan'):.1f} ms "
        f"({len(load.status_ms)} calls) | <= 20 ms |\n"
        f"| HTTP 5xx | {sum(v for k, v in load.statuses.items() if k >= 500)} | 0 |\n"
        f"| jobs done / entries missing / duplicated | {result['done']} / {len(result['missing'])} / "
        f"{result['duplicates']} | all / 0 / 0 |\n"
    )
    write("service", {"figures": figures}, table)


if __name__ == "__main__":
    main()
