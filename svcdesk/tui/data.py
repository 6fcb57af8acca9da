"""Running service calls off the event loop and getting plain results back.

`DataMixin.load(fn, apply)` runs `fn(session)` in a thread worker on a read session;
`DataMixin.save(fn, done)` does the same in one write transaction. The worker posts a
typed message back (`DataReady` or `DataFailed`); the handler runs `apply`/`done` on the
event loop. `fn` must return plain read models (services/orders/queries.py dataclasses, ints,
strings), never live ORM objects: the session is closed by the time the UI sees them.

`call(service, *args, **kwargs)` and `call_on(get, key, service, ...)` build that `fn`
for the common case, one service call (on the row `get(session, key)` looks up), so a
screen does not write a closure for it; `then=` reads what the screen needs from the
result (an id, a number) inside the transaction, while the rows are still attached.

Errors: a `SvcDeskError` is shown as a notification (its title + message); `Conflict`
additionally reloads the screen (`refresh_data()`); `on_error(exc) -> bool` may handle it
first (e.g. a booking modal that shows the refusals in place).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.worker import get_current_worker

from svcdesk.db import read_session, write_session
from svcdesk.errors import Conflict, SvcDeskError
from svcdesk.tui.keymap import KeyedBindings

Apply = Callable[[Any], None]
OnError = Callable[[SvcDeskError], bool]
Then = Callable[[Any], Any] | None


def call(service: Callable, *args: Any, then: Then = None, **kwargs: Any) -> Callable:
    """The `fn(session)` of one service call: `service(session, *args, **kwargs)`,
    its result passed through `then` (in the worker, before the session closes)."""

    def fn(session):
        result = service(session, *args, **kwargs)
        return result if then is None else then(result)

    return fn


def call_on(
    get: Callable, key: Any, service: Callable, *args: Any, then: Then = None, **kwargs: Any
) -> Callable:
    """`call` on a row looked up first: `service(session, get(session, key), *args,
    **kwargs)`, e.g. `call_on(lifecycle.get_order, number, notes.add_note, text, ...)`."""

    def fn(session):
        result = service(session, get(session, key), *args, **kwargs)
        return result if then is None else then(result)

    return fn


class DataReady(Message):
    """A worker finished; `apply(result)` runs on the event loop."""

    def __init__(self, apply: Apply, result: Any) -> None:
        super().__init__()
        self.apply = apply
        self.result = result


class DataFailed(Message):
    """A worker raised a user error (a `SvcDeskError`)."""

    def __init__(self, error: SvcDeskError, on_error: OnError | None, write: bool) -> None:
        super().__init__()
        self.error = error
        self.on_error = on_error
        self.write = write


class DataMixin(KeyedBindings):
    """Mix into a Screen or Widget (anything with `run_worker`, `post_message`, `app`).
    Its `BINDINGS` get ids (`keymap.KeyedBindings`)."""

    def load(
        self, fn: Callable, apply: Apply, *, group: str = "load", on_error: OnError | None = None
    ):
        """Read in a worker. A newer load in the same group supersedes an older one."""
        return self._start(fn, apply, group=group, write=False, on_error=on_error)

    def save(
        self,
        fn: Callable,
        done: Apply | None = None,
        *,
        group: str = "save",
        on_error: OnError | None = None,
    ):
        """Write in one transaction in a worker; then `done(result)` and a data refresh."""
        return self._start(fn, done, group=group, write=True, on_error=on_error)

    def _start(self, fn, apply, *, group, write, on_error):
        engine = self.app.engine
        target = self

        def job():
            worker = get_current_worker()
            opener = write_session if write else read_session
            try:
                with opener(engine) as session:
                    result = fn(session)
            except SvcDeskError as exc:
                target.post_message(DataFailed(exc, on_error, write))
                return None
            if not worker.is_cancelled:
                target.post_message(
                    DataReady(_after_write(target, apply) if write else apply, result)
                )
            return result

        return self.run_worker(
            job, thread=True, exclusive=not write, group=group, exit_on_error=True
        )

    def on_data_ready(self, message: DataReady) -> None:
        message.stop()
        if message.apply is not None:
            message.apply(message.result)

    def on_data_failed(self, message: DataFailed) -> None:
        message.stop()
        exc = message.error
        if message.on_error is not None and message.on_error(exc):
            return
        if isinstance(exc, Conflict):
            self.app.notify(f"{exc} — reloaded", title=exc.title, severity="warning")
            self.app.data_changed()
            return
        self.app.notify(str(exc), title=exc.title, severity="error")


def _after_write(target, apply: Apply | None) -> Apply:
    def run(result):
        if apply is not None:
            apply(result)
        target.app.data_changed()

    return run
