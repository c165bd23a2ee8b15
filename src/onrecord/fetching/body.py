"""Reading a response body within limits: a size cap on the wire and after decompression, and a ratio guard.

Decompression runs here rather than in httpx so the decoded size is checked as it grows: a
10 KB gzip bomb that inflates to 10 GB is stopped after at most ``max_bytes`` of output.
"""

from __future__ import annotations

import zlib

BOMB_FLOOR = 1 << 20  # below this much decoded output no ratio is suspicious (HTML compresses 5-20x)
STEP_BYTES = 1 << 16  # decoded per decompression step


class BodyProblem(Exception):
    """A body that broke a limit or cannot be decoded; the message says which and by how much."""


class CappedBody:
    """Accumulates raw chunks of one response, decoding ``Content-Encoding`` under the caps."""

    def __init__(self, encoding: str | None, max_bytes: int, max_ratio: float) -> None:
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.raw_bytes = 0
        self.consumed_bytes = 0  # compressed bytes the decoder has used
        self.decoded_bytes = 0
        self._parts: list[bytes] = []
        self._decoder = _decoder_for(encoding)
        self._encoding = (encoding or "identity").strip().lower()

    def feed(self, chunk: bytes) -> None:
        self.raw_bytes += len(chunk)
        if self.raw_bytes > self.max_bytes:
            raise BodyProblem(f"too large: more than {self.max_bytes:,} bytes (the response size cap)")
        if self._decoder is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                # Small steps: memory stays bounded, and the ratio is checked against the compressed
                # bytes actually consumed so far, so a bomb is caught after ~1 MiB of output.
                out = self._decoder.decompress(data, min(STEP_BYTES, self.max_bytes - self.decoded_bytes + 1))
            except zlib.error as exc:
                raise BodyProblem(f"corrupt {self._encoding} content: {exc}") from None
            rest = self._decoder.unconsumed_tail
            self.consumed_bytes += len(data) - len(rest)
            self._keep(out)
            data = rest
            if not out and data:  # no progress: cannot happen with a budget >= 1, but never spin
                break

    def _keep(self, data: bytes) -> None:
        self.decoded_bytes += len(data)
        if (
            self._decoder is not None
            and self.decoded_bytes > BOMB_FLOOR
            and self.decoded_bytes > self.max_ratio * max(self.consumed_bytes, 1)
        ):
            raise BodyProblem(
                f"decompression bomb: {self.consumed_bytes:,} compressed bytes expand to more than "
                f"{self.decoded_bytes:,} (over {self.max_ratio:g} times; refused)"
            )
        if self.decoded_bytes > self.max_bytes:
            what = "once decompressed " if self._decoder is not None else ""
            raise BodyProblem(f"too large: more than {self.max_bytes:,} bytes {what}(the response size cap)")
        if data:
            self._parts.append(data)

    def finish(self) -> bytes:
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush())
            except zlib.error as exc:
                raise BodyProblem(f"corrupt {self._encoding} content: {exc}") from None
        return b"".join(self._parts)


def _decoder_for(encoding: str | None) -> zlib._Decompress | None:  # type: ignore[name-defined]
    name = (encoding or "identity").strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # zlib or gzip header, detected
    raise BodyProblem(f"unsupported content encoding {name!r} (only gzip and deflate are requested)")
