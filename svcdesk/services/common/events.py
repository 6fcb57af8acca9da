"""The append-only histories: an order's changes go through `record`, every other
record's (settings, tax zones, sites, technicians, time entries, staff, price book, parts,
stock) through `record_change`. Both note who acted: the actor a face passes, and, when a
face acts as a staff member (`svcdesk --as NAME`), the operating-system user it acts for
(`act_as`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from svcdesk.clock import now
from svcdesk.models import OrderEvent, WorkOrder
from svcdesk.models.base import table_of
from svcdesk.services.common.acting import (  # noqa: F401 (who acts: re-exported here)
    Acting,
    act_as,
    act_as_unless_set,
    acting,
    on_behalf_of,
    who_text,
)


def record(
    session: Session,
    order: WorkOrder,
    kind: str,
    detail: str | None = None,
    *,
    actor: str = "system",
    from_status: str | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    event = OrderEvent(
        order_id=order.id,
        at=now(),
        actor=actor,
        on_behalf_of=on_behalf_of(session, actor),
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
        data=encode_data(data),
    )
    session.add(event)
    return event


def record_many(session: Session, rows: list[dict[str, Any]], *, actor: str = "system") -> None:
    """`record` for many events of one bulk action, in one executemany. Each row has
    `order_id` and `kind`, optionally `detail`, `from_status`, `to_status` and `data` (a
    dict). Inserted at once, in the order given (ids ascend like separate `record` calls)."""
    if not rows:
        return
    at = now()
    behalf = on_behalf_of(session, actor)
    session.execute(
        insert(table_of(OrderEvent)),
        [
            {
                "order_id": row["order_id"],
                "at": at,
                "actor": actor,
                "on_behalf_of": behalf,
                "kind": row["kind"],
                "from_status": row.get("from_status"),
                "to_status": row.get("to_status"),
                "detail": row.get("detail"),
                "data": encode_data(row.get("data")),
            }
            for row in rows
        ],
    )


_ENCODER = json.JSONEncoder(default=str, sort_keys=True)  # = json.dumps(..., same options)


def encode_data(data: dict[str, Any] | None) -> str | None:
    """The stored JSON text of an event's `data` (also used by batch inserts)."""
    return _ENCODER.encode(data) if data else None


def _word(key: str, value: Any) -> str:
    """A stored value in words: cents as money, basis points as a percent, thousandths as a
    quantity, yes/no, "-" for nothing."""
    from svcdesk.services.common.money import fmt_money, fmt_percent
    from svcdesk.services.common.quantity import fmt_qty

    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        for suffix, shown in (("_cents", fmt_money), ("_bp", fmt_percent), ("_milli", fmt_qty)):
            if key.endswith(suffix):
                return shown(value) + ("%" if suffix == "_bp" else "")
    return str(value)


def _label(key: str) -> str:
    """A field's name in words ("list_price_cents" -> "list price")."""
    for suffix in ("_cents", "_bp", "_milli"):
        key = key.removesuffix(suffix)
    return key.replace("_", " ")


def put_change(row: Any, field: str, value: Any, changes: list[str], label: str = "") -> None:
    """Set `row.field` to `value` when it differs, noting "label old -> new" in `changes`
    ('-' for an empty value) for the edit commands that answer in words."""
    old = getattr(row, field)
    if old != value:
        setattr(row, field, value)
        changes.append(
            f"{label or field} {old or '-'} -> {value if value not in (None, '') else '-'}"
        )


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """The fields that differ, in words: ["rate $45.00 -> $50.00", "active yes -> no"]
    (the values of a created or deleted record when one side is missing)."""
    if before is None or after is None:
        side = after if before is None else before
        return [f"{_label(k)} {_word(k, v)}" for k, v in (side or {}).items()]
    return [
        f"{_label(k)} {_word(k, before.get(k))} -> {_word(k, after.get(k))}"
        for k in {**before, **after}
        if before.get(k) != after.get(k)
    ]


def change_values(
    session: Session,
    entity: str,
    ref: str | int,
    kind: str,
    detail: str | None = None,
    *,
    actor: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one audited change (`record_change` adds it; batch intake writes
    many at once): who, on whose behalf, when, what, and the values before and after."""
    actor = actor or acting(session).name
    if detail is None:
        changes = ", ".join(changed_fields(before, after))
        detail = f"{entity.replace('_', ' ')} {ref} {kind}" + (f": {changes}" if changes else "")
    data = {k: v for k, v in (("before", before), ("after", after)) if v is not None}
    return {
        "at": now(),
        "actor": actor,
        "on_behalf_of": on_behalf_of(session, actor),
        "entity": entity,
        "ref": str(ref),
        "kind": kind,
        "detail": detail,
        "data": encode_data(data),
    }


def record_change(
    session: Session,
    entity: str,
    ref: str | int,
    kind: str,
    detail: str | None = None,
    *,
    actor: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit a create, edit or delete of a record that is not an order (a setting, a tax
    zone, a site, a technician, a time entry, ...): who, when, and the fields' values
    before and after (`svcdesk audit` lists them). `before`/`after` hold values in words
    (money as "$45.00"); `detail` defaults to "<what> <ref> <kind>: <changes in words>".
    `actor` defaults to the face's (`act_as`), else "system"."""
    from svcdesk.models.shop import ChangeEvent

    values = change_values(
        session, entity, ref, kind, detail, actor=actor, before=before, after=after
    )
    session.add(ChangeEvent(**values))
