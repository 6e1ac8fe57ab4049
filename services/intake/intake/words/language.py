"""The reader's language: Simplified Chinese by default, English on request (Accept-Language)."""

from typing import Annotated, Literal

from fastapi import Depends, Header

Lang = Literal["zh", "en"]
DEFAULT: Lang = "zh"


def negotiate(header: str | None) -> Lang:
    """The supported language the header prefers most (RFC 9110 q-values); zh when none fits."""
    ranked: list[tuple[float, int, Lang]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in ("zh", "en"):
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, primary))  # type: ignore[arg-type]
    return min(ranked)[2] if ranked else DEFAULT


async def preferred_language(
    accept_language: Annotated[str | None, Header(
        description="`en` for English labels and summaries; Simplified Chinese otherwise",
        examples=["zh-CN", "en"])] = None,
) -> Lang:
    return negotiate(accept_language)


Language = Annotated[Lang, Depends(preferred_language)]
