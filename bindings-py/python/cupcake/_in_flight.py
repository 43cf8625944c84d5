"""A cap on native async calls pending at once on each asyncio event loop.

Each completion of a native call costs the loop a callback from a Rust thread; with 1,000 calls
started in one turn the loop spent 200 ms starting them and taking their completions before it
ran a timer again. Calls beyond the core's ``async_in_flight_limit`` wait here, in order, on an
asyncio semaphore of their own loop, so a turn of the loop handles at most that many.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ._native import async_in_flight_limit

T = TypeVar("T")

MAX_IN_FLIGHT: int = async_in_flight_limit()
"""Native async calls allowed in flight at once per event loop."""

# One semaphore per running loop (an asyncio primitive belongs to one loop); a loop that is
# garbage-collected takes its entry with it.
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


async def with_slot(call: Callable[[], Awaitable[T]]) -> T:
    """Awaits ``call()`` once fewer than MAX_IN_FLIGHT native calls are pending on this loop."""
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(MAX_IN_FLIGHT)
    async with slots:
        return await call()
