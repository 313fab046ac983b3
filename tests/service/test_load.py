"""Four clients, 200 mixed requests (generate, rerun, search, status polling) on loopback: no 5xx,
no lost or duplicated history entries. Times are the benchmark's business, not this test's."""

from __future__ import annotations

from live_engine import Running

from bench.service import check, run_load


def test_four_clients_200_requests(service: Running) -> None:
    service.model.word_delay_s = 0.005
    client = service.client
    base = client.wait(client.submit("generate", prompt="a 40 x 30 x 5 mm plate")["id"])["entry"]["id"]
    load = run_load(service.home, base, clients=4, total=200)
    assert load.requests == 200 and not load.errors, load.errors[:5]
    assert all(status < 500 for status in load.statuses)
    result = check(load, service.home)
    assert result["failed"] == [] and result["done"] == len(load.jobs) > 20
    assert result["missing"] == [] and result["duplicates"] == 0
    assert result["entries_listed"] == len(load.jobs) + 1
    assert load.status_ms, "some status calls landed while the model was generating"
