"""When to send a request again: the one retry policy for the remote model server and the team's
Chroma server.

Only what is safe to repeat: a connection that failed or broke before any answer, and the
502/503/504 answers of a server that is starting, restarting or overloaded. Never a client error
(4xx), and never a reply that was partly used (the callers retry only before that). The back-off
is short and bounded: a restarting server gets a few seconds, not a hung job.
"""

from __future__ import annotations

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

# Tries in all, and the back-off between them: 0.25 s doubling, at most 2 s (under 4 s in all).
ATTEMPTS = 4
BACKOFF_S = (0.25, 2.0)
RETRY_STATUS = frozenset({502, 503, 504})
# Failures before any answer.
RETRY_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError)


def transient(error: BaseException) -> bool:
    """Whether `error` says "try again soon" rather than "this request is wrong". A library's
    own error raised while handling one that is (chromadb turns a dropped connection into a
    ValueError) is one too."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, RETRY_ERRORS):
            return True
        if isinstance(seen, httpx.HTTPStatusError):
            return seen.response.status_code in RETRY_STATUS
        if getattr(seen, "transient", False):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def retrying(attempts: int = ATTEMPTS) -> Retrying:
    """`for attempt in retrying(): with attempt: ...` runs the block until it succeeds, raises a
    non-transient error, or has been tried `attempts` times (then the last error is raised)."""
    return Retrying(stop=stop_after_attempt(attempts),
                    wait=wait_exponential(multiplier=BACKOFF_S[0], max=BACKOFF_S[1]),
                    retry=retry_if_exception(transient), reraise=True)
