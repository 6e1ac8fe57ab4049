"""Run the three services as child processes: prefixed output, readiness, clean stop."""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass, field

import httpx

from redgrid_dev.processes import die_with_parent, signal_group

DEFAULT_PORTS = {"intake": 8001, "dispatch": 8002, "stats": 8003}


@dataclass
class Service:
    """One service process: `python -m <name>` on 127.0.0.1:<port>."""

    name: str
    port: int
    proc: asyncio.subprocess.Process | None = None
    _pump: asyncio.Task | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, env: dict[str, str]) -> None:
        """Spawn the process and forward its output, each line prefixed by the service name."""
        # Own session: Ctrl-C reaches only the runner, which stops services first, infrastructure last.
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.name,
            env={**env, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"},
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent,
        )
        self._pump = asyncio.create_task(self._forward_output())

    async def _forward_output(self) -> None:
        prefix = f"{self.name:<8}| "
        async for line in self.proc.stdout:
            sys.stdout.write(prefix + line.decode(errors="replace"))
            sys.stdout.flush()

    async def wait_ready(self, client: httpx.AsyncClient, timeout: float) -> None:
        """Poll GET /readyz until 200; raise if the process exits or the deadline passes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self.proc.returncode is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode} before it was ready")
            try:
                if (await client.get(f"{self.url}/readyz", timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if loop.time() > deadline:
                raise TimeoutError(f"{self.name} not ready on {self.url}/readyz after {timeout}s")
            await asyncio.sleep(0.2)

    async def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL after the grace period, then drain its output."""
        if self.proc is None:
            return
        if self.proc.returncode is None:
            signal_group(self.proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), grace)
            except asyncio.TimeoutError:
                signal_group(self.proc.pid, signal.SIGKILL)
                await self.proc.wait()
        # Also reap any grandchildren the service left in its group (e.g. uvicorn workers).
        signal_group(self.proc.pid, signal.SIGKILL)
        if self._pump is not None:
            await asyncio.wait([self._pump], timeout=2)
            self._pump.cancel()


@dataclass
class LoggedService(Service):
    """A Service whose output goes to a file rather than the terminal."""

    log_file: object = None  # a pathlib.Path

    async def _forward_output(self) -> None:
        with open(self.log_file, "ab") as out:
            async for line in self.proc.stdout:
                out.write(line)

    async def kill(self) -> None:
        """SIGKILL the whole process group at once, as a crash would."""
        if self.proc is not None and self.proc.returncode is None:
            signal_group(self.proc.pid, signal.SIGKILL)
            await self.proc.wait()


async def first_exit(services: list[Service]) -> Service:
    """Return the first service whose process exits."""
    waits = {asyncio.create_task(s.proc.wait()): s for s in services}
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        return waits[done.pop()]
    finally:
        for task in waits:
            task.cancel()


async def wait_all_ready(services: list[Service], timeout: float = 90.0) -> None:
    """Wait until every service answers /readyz with 200."""
    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(s.wait_ready(client, timeout) for s in services))
