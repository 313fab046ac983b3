"""Run every benchmark: `python -m bench` (or `make bench`)."""

from __future__ import annotations

from bench import cadqueryeval, history, llm, pipeline, sandbox, service


def main() -> None:
    sandbox.main()
    llm.main()
    pipeline.main()
    history.main([])
    service.main([])
    cadqueryeval.main([])


if __name__ == "__main__":
    main()
