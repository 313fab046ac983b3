"""Run every benchmark: `python -m bench` (or `make bench`), then write the summary table."""

from __future__ import annotations

from bench import (
    cadqueryeval,
    cli,
    dev_engine,
    dimensions,
    disk,
    facts,
    frontends,
    grammar_speed,
    history,
    llm,
    phrasings,
    pipeline,
    report,
    sandbox,
    service,
    training_dev,
)


def main() -> None:
    sandbox.main()
    dimensions.main([])
    facts.main()
    llm.main()
    grammar_speed.main()
    pipeline.main()
    history.main([])
    service.main([])
    frontends.main()
    cli.main()
    disk.main()
    training_dev.main([])
    dev_engine.main([])
    phrasings.main([])
    cadqueryeval.main([])
    report.main()


if __name__ == "__main__":
    main()
