"""Checklists: templates of items (yes/no, number readings, text), attached to visits and
answered there. Answers go into the order history. A visit whose required items are
unanswered can't be completed without `force`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import (
    AnswerType,
    ChecklistTemplate,
    ChecklistTemplateItem,
    VisitChecklist,
    VisitChecklistAnswer,
)
from svcdesk.services.common import events
from svcdesk.services.common.rows import must_get
from svcdesk.services.common.words import status_words

YES = {"y", "yes", "true", "1", "pass", "ok"}
NO = {"n", "no", "false", "0", "fail"}


@dataclass(frozen=True)
class ItemSpec:
    label: str
    answer_type: str = AnswerType.YES_NO.value
    unit: str | None = None
    required: bool = True


def parse_item_spec(text: str) -> ItemSpec:
    """'Refrigerant pressure:number:psi', 'Filter changed:yes_no', 'Notes:text:optional'."""
    parts = [p.strip() for p in text.split(":")]
    label = parts[0]
    if not label:
        raise InvalidInput(f"item: {text!r} has no label; expected LABEL[:TYPE[:UNIT]][:optional]")
    required = True
    if parts[-1].lower() == "optional" and len(parts) > 1:
        required = False
        parts = parts[:-1]
    kind = (parts[1] if len(parts) > 1 and parts[1] else "yes_no").lower().replace("-", "_")
    if kind in ("yn", "yesno", "bool"):
        kind = "yes_no"
    try:
        kind = AnswerType(kind).value
    except ValueError:
        raise InvalidInput(
            f"item: {text!r} type {kind!r} is not one of yes_no, number, text"
        ) from None
    unit = parts[2] if len(parts) > 2 and parts[2] else None
    return ItemSpec(label, kind, unit, required)


def create_template(
    session: Session,
    name: str,
    items: list[ItemSpec],
    *,
    description: str | None = None,
    order_kind: str | None = None,
) -> ChecklistTemplate:
    name = name.strip()
    if not name:
        raise InvalidInput("name: required")
    if not items:
        raise InvalidInput("items: a checklist needs at least one item")
    if session.exec(select(ChecklistTemplate).where(ChecklistTemplate.name == name)).first():
        raise InvalidInput(f"checklist {name!r} already exists")
    template = ChecklistTemplate(name=name, description=description, order_kind=order_kind)
    session.add(template)
    session.flush()
    for i, spec in enumerate(items, start=1):
        session.add(
            ChecklistTemplateItem(
                template_id=template.id,
                position=i,
                label=spec.label,
                answer_type=spec.answer_type,
                unit=spec.unit,
                required=spec.required,
            )
        )
    session.flush()
    events.record_change(session, "checklist", template.id, "created", after={
        "name": name, "description": description, "for orders of kind": order_kind,
        "items": "; ".join(f"{s.label} ({status_words(s.answer_type)}"
                           f"{', required' if s.required else ''})" for s in items),
    })  # fmt: skip
    return template


def get_template(session: Session, ref: str | int) -> ChecklistTemplate:
    text = str(ref).strip()
    tpl = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.name == text)).first()
    if tpl is None and text.isdigit():
        tpl = session.get(ChecklistTemplate, int(text))
    if tpl is None:
        raise NotFound(f"checklist {ref!r} not found")
    return tpl


def list_templates(session: Session) -> list[ChecklistTemplate]:
    return list(session.exec(select(ChecklistTemplate).order_by(ChecklistTemplate.name)))


def template_items(session: Session, template_id: int) -> list[ChecklistTemplateItem]:
    return list(
        session.exec(
            select(ChecklistTemplateItem)
            .where(ChecklistTemplateItem.template_id == template_id)
            .order_by(col(ChecklistTemplateItem.position))
        )
    )


def attach(
    session: Session, visit: Visit, template: ChecklistTemplate, *, actor: str = "dispatcher"
) -> VisitChecklist:
    exists = session.exec(
        select(VisitChecklist).where(
            VisitChecklist.visit_id == visit.id, VisitChecklist.template_id == template.id
        )
    ).first()
    if exists:
        return exists
    link = VisitChecklist(visit_id=visit.id, template_id=template.id, attached_at=now())
    session.add(link)
    session.flush()
    order = must_get(session, WorkOrder, visit.order_id)
    events.record(
        session,
        order,
        "checklist",
        f"checklist {template.name!r} attached",
        actor=actor,
        data={"visit_id": visit.id, "template_id": template.id},
    )
    return link


def attach_defaults(session: Session, visit: Visit, *, actor: str = "system") -> int:
    """Attach the active templates meant for this order's kind (if none is attached yet)."""
    if session.exec(select(VisitChecklist).where(VisitChecklist.visit_id == visit.id)).first():
        return 0
    order = must_get(session, WorkOrder, visit.order_id)
    templates = session.exec(
        select(ChecklistTemplate).where(
            ChecklistTemplate.order_kind == order.kind,
            ChecklistTemplate.active == True,  # noqa: E712
        )
    ).all()
    for tpl in templates:
        attach(session, visit, tpl, actor=actor)
    return len(templates)


def normalise_answer(item: ChecklistTemplateItem, value: str) -> str:
    raw = (value or "").strip()
    if not raw:
        raise InvalidInput(f"{item.label}: an answer is required")
    if item.answer_type == AnswerType.YES_NO.value:
        low = raw.lower()
        if low in YES:
            return "yes"
        if low in NO:
            return "no"
        raise InvalidInput(f"{item.label}: {value!r} is not yes or no")
    if item.answer_type == AnswerType.NUMBER.value:
        try:
            number = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            raise InvalidInput(f"{item.label}: {value!r} is not a number") from None
        if not number.is_finite() or abs(number) >= 10**12:
            raise InvalidInput(f"{item.label}: {value!r} is not a reading (a number below 10^12)")
        return f"{number.normalize():f}"
    return raw


@dataclass(frozen=True)
class ChecklistLine:
    item_id: int
    template: str
    position: int
    label: str
    answer_type: str
    unit: str | None
    required: bool
    value: str | None
    answered_by: str | None

    def to_json(self) -> dict:
        return {
            "item_id": self.item_id,
            "checklist": self.template,
            "position": self.position,
            "label": self.label,
            "type": self.answer_type,
            "unit": self.unit,
            "required": self.required,
            "answer": self.value,
            "answered_by": self.answered_by,
        }


def visit_lines(session: Session, visit_id: int) -> list[ChecklistLine]:
    rows = session.exec(
        select(ChecklistTemplate.name, ChecklistTemplateItem)
        .join(VisitChecklist, col(VisitChecklist.template_id) == col(ChecklistTemplate.id))
        .join(
            ChecklistTemplateItem,
            col(ChecklistTemplateItem.template_id) == col(ChecklistTemplate.id),
        )
        .where(VisitChecklist.visit_id == visit_id)
        .order_by(col(VisitChecklist.id), col(ChecklistTemplateItem.position))
    ).all()
    answers = {
        a.item_id: a
        for a in session.exec(
            select(VisitChecklistAnswer).where(VisitChecklistAnswer.visit_id == visit_id)
        )
    }
    out = []
    for name, item in rows:
        ans = answers.get(item.id)
        out.append(
            ChecklistLine(
                item.id,
                name,
                item.position,
                item.label,
                item.answer_type,
                item.unit,
                item.required,
                ans.value if ans else None,
                ans.answered_by if ans else None,
            )
        )
    return out


def find_line(session: Session, visit_id: int, ref: str) -> ChecklistLine:
    """An item of the visit's checklists by position ('3', or 'Template:3') or label."""
    lines = visit_lines(session, visit_id)
    if not lines:
        raise InvalidInput(f"visit {visit_id} has no checklist attached")
    text = ref.strip()
    template, _, key = text.rpartition(":") if ":" in text else ("", "", text)
    pool = [ln for ln in lines if not template or ln.template.lower() == template.lower()]
    if key.isdigit():
        found = [ln for ln in pool if ln.position == int(key)]
    else:
        found = [ln for ln in pool if ln.label.lower() == key.lower()]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise InvalidInput(f"item: {ref!r} is on several checklists; use 'Checklist name:{key}'")
    raise NotFound(f"item: {ref!r} is not on visit {visit_id}'s checklists")


def answer(
    session: Session, visit: Visit, ref: str, value: str, *, actor: str = "dispatcher"
) -> ChecklistLine:
    line = find_line(session, visit.id, ref)
    item = must_get(session, ChecklistTemplateItem, line.item_id)
    text = normalise_answer(item, value)
    row = session.exec(
        select(VisitChecklistAnswer).where(
            VisitChecklistAnswer.visit_id == visit.id, VisitChecklistAnswer.item_id == item.id
        )
    ).first()
    unit = f" {item.unit}" if item.unit else ""
    what = f"{line.template}: {item.label}"
    before = None
    if row is None:
        row = VisitChecklistAnswer(visit_id=visit.id, item_id=item.id, value=text)
    else:
        before = {"item": what, "answer": f"{row.value}{unit}", "by": row.answered_by}
    row.value, row.answered_at, row.answered_by = text, now(), actor
    session.add(row)
    session.flush()
    order = must_get(session, WorkOrder, visit.order_id)
    was = f"{before['answer']} -> " if before else ""
    events.record_change(
        session, "checklist_answer", visit.id, "edited" if before else "answered",
        f"{order.number} visit {visit.id}: {what} {was}{text}{unit}", actor=actor,
        before=before, after={"item": what, "answer": f"{text}{unit}", "by": actor},
    )  # fmt: skip
    events.record(
        session,
        order,
        "checklist",
        f"{line.template}: {item.label} = {text}{unit}",
        actor=actor,
        data={"visit_id": visit.id, "item_id": item.id, "value": text},
    )
    return find_line(session, visit.id, f"{line.template}:{line.position}")


def unanswered_required(session: Session, visit_id: int) -> list[ChecklistLine]:
    return [ln for ln in visit_lines(session, visit_id) if ln.required and ln.value is None]
