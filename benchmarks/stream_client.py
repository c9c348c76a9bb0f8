"""A protocol-level Streamlit client for load tests: what a browser tab does on the websocket, without
the browser (like a locust user).

It speaks Streamlit's own protocol on ``/_stcore/stream``: ``BackMsg`` protobufs out (``rerun_script``
with the page and the widget values), ``ForwardMsg`` protobufs in (the page's elements, the menu,
``script_finished``). So a load figure measured with it is the server's: the script runs, the element
marshalling, the protobuf serialisation and the websocket, with no page rendering on the client's side.

Sign-in is the real one: the client reads the sign-in form's widget ids from the elements the server
sent, fills 用户名 and 密码 and presses 登录 exactly as the browser does (same messages), so the
server checks the password and signs the session in; no backdoor in the app.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus


@dataclass
class Widget:
    id: str
    kind: str
    label: str


@dataclass
class StreamSession:
    """One Streamlit session on the websocket (one browser tab's worth of protocol)."""

    url: str  # http://host:port
    ws: Any = None
    pages: dict[str, str] = field(default_factory=dict)  # menu title -> page_script_hash
    widgets: list[Widget] = field(default_factory=list)
    elements: int = 0
    received_bytes: int = 0
    exception: str | None = None

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            self.url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
            max_size=None, open_timeout=120, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, *, page_hash: str = "", query: str = "", widgets: list[Any] | None = None,
                    timeout: float = 600) -> float:
        """Send one rerun request; wait until a run finished without asking for another one
        (st.rerun / st.switch_page lead to more runs first). Returns the seconds it took."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_script_hash = page_hash
        for w in widgets or []:
            state.widget_states.widgets.append(w)
        self.widgets, self.elements, self.exception = [], 0, None
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), timeout)
        return time.perf_counter() - t0

    async def _until_finished(self) -> None:
        while True:
            raw = await self.ws.recv()
            self.received_bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self._read_pages(fwd.new_session.app_pages)
            elif kind == "navigation":
                self._read_pages(fwd.navigation.app_pages)
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    self.widgets, self.elements = [], 0
                    continue
                return
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self.elements += 1
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    self.exception = element.exception.message
                inner = getattr(element, which) if which else None
                if inner is not None and hasattr(inner, "id") and hasattr(inner, "label") and inner.id:
                    self.widgets.append(Widget(inner.id, which or "", inner.label))

    def _read_pages(self, pages: Any) -> None:
        if len(pages):
            self.pages = {p.page_name: p.page_script_hash for p in pages if not p.is_hidden}

    def widget(self, label: str) -> Widget:
        found = [w for w in self.widgets if w.label == label]
        if not found:
            raise LookupError(f"no widget labelled {label!r} among {[w.label for w in self.widgets]}")
        return found[0]

    async def sign_in(self, username: str, password: str) -> float:
        """Open the app, fill the sign-in form and press 登录 (the server checks the password)."""
        await self.rerun()
        states = []
        for label, value in (("用户名", username), ("密码", password)):
            ws = BackMsg().rerun_script.widget_states.widgets.add()
            ws.id = self.widget(label).id
            ws.string_value = value
            states.append(ws)
        button = BackMsg().rerun_script.widget_states.widgets.add()
        button.id = self.widget("登录").id
        button.trigger_value = True
        states.append(button)
        seconds = await self.rerun(widgets=states)
        if "总览" not in self.pages:
            raise RuntimeError(f"sign-in failed: menu {list(self.pages)}")
        return seconds

    async def open_page(self, title: str) -> float:
        """A menu click: run the page with that title; seconds until its run finished."""
        seconds = await self.rerun(page_hash=self.pages[title])
        if self.exception:
            raise RuntimeError(f"{title}: {self.exception}")
        return seconds
