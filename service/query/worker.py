"""One query worker: a process that holds a read-only copy of the data and answers queries, one at a time.

The web process starts it as a script (``python -I service/query/worker.py``), so it imports pyoxigraph and
the standard library only, never the service package (Flask, rdflib, pySHACL): a fresh worker is ready in
tens of milliseconds. It talks over its standard input and output in frames (`send`, `receive`): a JSON
header, then a body of raw bytes. The first frame carries the data (N-Quads, or the folder of an on-disk
store to open read-only); each later frame is a job, answered by exactly one reply.

Nothing here protects against a runaway query: the web process does, by killing this process
(service/query/pool.py). What this side does is stay within what it is told: the row limit, the result size,
and an address-space limit that turns a runaway allocation into a quick death instead of a swapping host.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import signal
import struct
import sys
import threading
from collections.abc import Iterable
from typing import IO, Any

import pyoxigraph as ox

# Deep or long queries recurse in Oxigraph's parser and optimiser: 8 MiB (the usual main-thread stack) overflow
# at about 2,000 nested groups; 256 MiB takes every query below the length limit (measured: docs/queries.md).
STACK_BYTES = 256 * 1024 * 1024
HEADER = struct.Struct("!II")  # lengths of the JSON header and of the body


def send(stream: IO[bytes], header: dict[str, Any], body: bytes = b"") -> None:
    data = json.dumps(header).encode()
    stream.write(HEADER.pack(len(data), len(body)) + data + body)
    stream.flush()


def receive(stream: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    """The next frame; EOFError when the other side has gone."""
    sizes = read_exactly(stream, HEADER.size)
    header_size, body_size = HEADER.unpack(sizes)
    header = json.loads(read_exactly(stream, header_size))
    return header, read_exactly(stream, body_size)


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = stream.read(missing)
        if not chunk:
            raise EOFError("the other side closed the pipe")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def term(value: list[str]) -> ox.NamedNode | ox.Literal:
    """A substituted value, sent as ["iri", value] or ["literal", value, language, datatype]."""
    if value[0] == "iri":
        return ox.NamedNode(value[1])
    _, text, language, datatype = value
    if language:
        return ox.Literal(text, language=language)
    return ox.Literal(text, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(text)


def evaluate(store: ox.Store, job: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Run one job and serialise its result, buffered, up to the row limit."""
    dataset: dict[str, Any] = {"use_default_graph_as_union": job["union"]}
    if job["default_graph"] is not None or job["named_graphs"] is not None:
        # The protocol's dataset replaces the query's; a list left out is empty (SPARQL 1.1 Protocol §2.1.4).
        dataset = {
            "default_graph": [ox.NamedNode(iri) for iri in job["default_graph"] or []],
            "named_graphs": [ox.NamedNode(iri) for iri in job["named_graphs"] or []],
        }
    try:
        result = store.query(
            job["query"],
            base_iri=job["base_iri"],
            prefixes=job["prefixes"],
            substitutions={ox.Variable(name): term(value) for name, value in job["substitutions"].items()},
            **dataset,
        )
    except SyntaxError as error:
        return {"status": "syntax", "message": str(error)}, b""
    limit = job["row_limit"]
    if isinstance(result, ox.QueryBoolean):
        media_type = job["result_format"]
        if media_type is None:
            return {"status": "not_acceptable", "kind": "boolean"}, b""
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        body = result.serialize(format=results_format) or b""
        return {"status": "ok", "kind": "boolean", "media_type": media_type, "rows": 1, "truncated": False}, body
    if isinstance(result, ox.QueryTriples):
        media_type = job["graph_format"]
        if media_type is None:
            return {"status": "not_acceptable", "kind": "graph"}, b""
        triples = take(result, limit + 1)
        truncated = len(triples) > limit
        triples = triples[:limit]
        body = ox.serialize(triples, format=ox.RdfFormat.from_media_type(media_type), prefixes=job["prefixes"]) or b""
        nodes = [t for triple in triples[: job["display_limit"]] for t in (triple.subject, triple.object)]
        labels = find_labels(store, nodes, job) if job["labels"] else {}
        reply = {"status": "ok", "kind": "graph", "media_type": media_type, "rows": len(triples)}
        return {**reply, "truncated": truncated, "labels": labels}, body
    media_type = job["result_format"]
    if media_type is None:
        return {"status": "not_acceptable", "kind": "solutions"}, b""
    variables = result.variables
    rows = take(result, limit + 1)
    truncated = len(rows) > limit
    rows = rows[:limit]
    # A buffered result must be serialised from a list: TSV from Oxigraph's own term syntax, parsed back.
    tsv = "\t".join(str(v) for v in variables) + "\n"
    tsv += "".join("\t".join("" if row[v] is None else str(row[v]) for v in variables) + "\n" for row in rows)
    solutions = ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV)
    body = solutions.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)) or b""
    nodes = [row[v] for row in rows[: job["display_limit"]] for v in variables]
    labels = find_labels(store, nodes, job) if job["labels"] else {}
    reply = {"status": "ok", "kind": "solutions", "media_type": media_type, "rows": len(rows)}
    return {**reply, "truncated": truncated, "labels": labels}, body


def take(items: Iterable[Any], count: int) -> list[Any]:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) >= count:
            break
    return taken


def find_labels(store: ox.Store, nodes: Iterable[object], job: dict[str, Any]) -> dict[str, list[str]]:
    """{IRI: [label, its language]} for the IRIs shown on a page, in the page's language where there is one."""
    wanted = job["labels"]
    properties = [ox.NamedNode(iri) for iri in job["label_properties"]]
    labels: dict[str, list[str]] = {}
    for node in {n for n in nodes if isinstance(n, ox.NamedNode)}:
        candidates = [
            quad.object
            for predicate in properties
            for quad in store.quads_for_pattern(node, predicate, None)
            if isinstance(quad.object, ox.Literal)
        ]
        if candidates:
            best = min(candidates, key=lambda literal: preference(literal, wanted))
            labels[node.value] = [best.value, best.language or ""]
    return labels


def preference(literal: ox.Literal, wanted: str) -> int:
    """The page's language first, then German (the sources' language), then any."""
    return {wanted: 0, "de": 1}.get(literal.language or "", 2)


def die_with_parent() -> None:
    """Ask Linux to kill this process when the web process that started it dies (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before the request took effect
            os._exit(1)


# Seccomp, from <linux/seccomp.h>, <linux/filter.h> and <linux/audit.h>: a classic BPF program over
# struct seccomp_data {int nr; u32 arch; u64 instruction_pointer; u64 args[6];}.
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
X32_SYSCALL_BIT = 0x40000000
# Per machine: the audit architecture and the numbers of socket(2) and io_uring_setup(2) (io_uring can open
# sockets without calling socket).
NETWORK_SYSCALLS = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}


class BpfInstruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class BpfProgram(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(BpfInstruction))]


def network_filter(machine: str) -> list[tuple[int, int, int, int]]:
    """A seccomp program that refuses to make sockets (EPERM) and kills a process calling in a foreign ABI."""
    arch, socket_nr, io_uring_nr = NETWORK_SYSCALLS[machine]
    refuse = SECCOMP_RET_ERRNO | errno.EPERM
    return [
        (BPF_LD_W_ABS, 0, 0, 4),  # arch
        (BPF_JEQ_K, 1, 0, arch),
        (BPF_RET_K, 0, 0, SECCOMP_RET_KILL_PROCESS),  # 32-bit calls on a 64-bit kernel: no use but evasion
        (BPF_LD_W_ABS, 0, 0, 0),  # nr
        (BPF_JGE_K, 2, 0, X32_SYSCALL_BIT),  # x32 calls on x86_64 (numbers with the bit set)
        (BPF_JEQ_K, 1, 0, socket_nr),
        (BPF_JEQ_K, 0, 1, io_uring_nr),
        (BPF_RET_K, 0, 0, refuse),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]


def forbid_network() -> None:
    """Take this process's right to open sockets, for good, before any query runs.

    The second barrier against SERVICE and anything else in the engine that could reach out: whatever the
    guard in the web process lets through, a query here cannot open a connection. A worker never needs a
    socket: it talks to the web process over its standard input and output. Linux on x86-64 and arm64 only;
    elsewhere the worker refuses to start, naming the reason.
    """
    machine = os.uname().machine
    if not sys.platform.startswith("linux") or machine not in NETWORK_SYSCALLS:
        raise SystemExit(f"query worker: cannot forbid network access on {sys.platform} {machine}")
    program = network_filter(machine)
    instructions = (BpfInstruction * len(program))(*(BpfInstruction(*step) for step in program))
    fprog = BpfProgram(len(program), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) or libc.prctl(
        PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0
    ):
        raise SystemExit(f"query worker: seccomp refused: {os.strerror(ctypes.get_errno())}")


def limit_memory(megabytes: int) -> None:
    """A hard cap on address space: the web process watches the resident size; this stops a sudden burst."""
    cap = megabytes * 1024 * 1024 + STACK_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def load(header: dict[str, Any], body: bytes) -> ox.Store:
    if header.get("path"):
        return ox.Store.read_only(header["path"])
    store = ox.Store()
    store.bulk_load(body, format=ox.RdfFormat.N_QUADS)
    return store


def main() -> None:
    die_with_parent()
    forbid_network()
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the pipe
    header, body = receive(source)
    limit_memory(header["address_space_mb"])
    store = load(header, body)
    del body
    send(sink, {"status": "ready"})
    threading.stack_size(STACK_BYTES)
    while True:
        try:
            job, _ = receive(source)
        except EOFError:
            return
        reply: list[tuple[dict[str, Any], bytes]] = []

        def work(job: dict[str, Any] = job, reply: list[tuple[dict[str, Any], bytes]] = reply) -> None:
            try:
                reply.append(evaluate(store, job))
            except (OSError, RuntimeError, ValueError, TypeError) as error:
                reply.append(({"status": "error", "message": str(error)}, b""))
            except MemoryError:
                reply.append(({"status": "memory"}, b""))

        thread = threading.Thread(target=work, name="query")
        thread.start()
        thread.join()
        header, body = reply[0]
        if len(body) > job["max_bytes"]:
            header, body = {"status": "too_large", "size": len(body)}, b""
        send(sink, header, body)


if __name__ == "__main__":
    main()
