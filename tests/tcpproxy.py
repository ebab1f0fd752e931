"""A TCP proxy for the fault tests (standard library only): it forwards to a server and can
black-hole the link (bytes are taken and dropped, nothing answers, nothing is reset: a silent
network cut as a hospital network makes one), cut it loudly (every connection reset), repeat
the next packets a client sends (as a retransmitting network can), or pass.

    proxy = Proxy(("127.0.0.1", 5432)); proxy.start()
    url = f"postgresql://127.0.0.1:{proxy.port}/db?user=..."
    proxy.blackhole(); proxy.heal(); proxy.reset(); proxy.duplicate(3); proxy.close()
"""
from __future__ import annotations

import selectors
import socket
import threading


class Proxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.mode = "pass"  # "pass" or "blackhole"
        self._pairs: dict[socket.socket, socket.socket] = {}
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._stop = False
        self._resets: list[threading.Event] = []
        self._clients: set[socket.socket] = set()
        self._dups = 0  # client -> server chunks still to send twice
        self._thread = threading.Thread(target=self._loop, name="tcpproxy", daemon=True)

    def start(self) -> "Proxy":
        self.listener.setblocking(False)
        self._sel.register(self.listener, selectors.EVENT_READ)
        self._thread.start()
        return self

    def blackhole(self) -> None:
        """From now on nothing goes through either way, and nothing is refused or reset."""
        self.mode = "blackhole"

    def heal(self) -> None:
        self.mode = "pass"

    def duplicate(self, n: int) -> None:
        """The next `n` chunks a client sends reach the server twice."""
        self._dups = n

    def duplicated_left(self) -> int:
        return self._dups

    def reset(self, wait: bool = True) -> None:
        """Every open connection is reset (RST), as a server's host going down would."""
        done = threading.Event()
        self._resets.append(done)
        if wait:
            done.wait(5)

    def _reset_all(self) -> None:
        with self._lock:
            socks = list(self._pairs)
        for s in socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            self._drop(s)

    def connections(self) -> int:
        with self._lock:
            return len(self._pairs) // 2

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=5)
        self._reset_all()
        self.listener.close()

    def _loop(self) -> None:
        while not self._stop:
            while self._resets:
                self._reset_all()
                self._resets.pop(0).set()
            for key, _ in self._sel.select(timeout=0.05):
                s = key.fileobj
                if s is self.listener:
                    self._accept()
                    continue
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    self._drop(s)
                    continue
                if self.mode == "blackhole":
                    continue  # taken from the socket (the sender's kernel sees it acknowledged) and dropped
                with self._lock:
                    other = self._pairs.get(s)
                if other is not None:
                    twice = s in self._clients and self._dups > 0
                    if twice:
                        self._dups -= 1
                    try:
                        other.sendall(data)
                        if twice:
                            other.sendall(data)
                    except OSError:
                        self._drop(s)

    def _accept(self) -> None:
        try:
            client, _ = self.listener.accept()
        except OSError:
            return
        if self.mode == "blackhole":  # a new connection gets no further than the proxy: no answer ever
            client.setblocking(False)
            with self._lock:
                self._pairs[client] = None
            self._sel.register(client, selectors.EVENT_READ)
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        for s in (client, server):
            s.setblocking(True)
        with self._lock:
            self._pairs[client] = server
            self._pairs[server] = client
            self._clients.add(client)
        self._sel.register(client, selectors.EVENT_READ)
        self._sel.register(server, selectors.EVENT_READ)

    def _drop(self, s) -> None:
        with self._lock:
            other = self._pairs.pop(s, None)
            if other is not None:
                self._pairs.pop(other, None)
            self._clients.discard(s)
            self._clients.discard(other)
        for x in (s, other):
            if x is None:
                continue
            try:
                self._sel.unregister(x)
            except (KeyError, ValueError):
                pass
            try:
                x.close()
            except OSError:
                pass
