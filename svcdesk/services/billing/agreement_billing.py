"""Agreement billing: each billing period (monthly, quarterly, annual from the agreement's
start) produces plain billable lines; `bill` turns unbilled periods up to a date into draft
invoices through the billing service. One `agreement_billing` row per agreement+period
(unique key, claimed before the invoice is made) keeps re-runs from billing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.models.agreements import Agreement, AgreementBilling, AgreementStatus, BillingCycle
from svcdesk.services.agreements.pm_generate import insert_skip_duplicates
from svcdesk.services.common.rows import must_get

BILLABLE = (AgreementStatus.ACTIVE.value, AgreementStatus.EXPIRED.value)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive


@dataclass(frozen=True)
class BillableLine:
    agreement_id: int
    agreement: str
    customer_id: int
    period_start: date
    period_end: date
    description: str
    quantity: int
    unit_price_cents: int

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_price_cents

    def to_json(self) -> dict:
        return {
            "agreement": self.agreement,
            "customer_id": self.customer_id,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "description": self.description,
            "quantity": self.quantity,
            "unit_price_cents": self.unit_price_cents,
            "amount_cents": self.amount_cents,
        }


def periods(agreement: Agreement, through: date) -> list[Period]:
    """Billing periods that have started by `through` and start within the agreement's
    current term end (a renewed agreement keeps its cycle from the first start)."""
    months = BillingCycle(agreement.billing_cycle).months
    out: list[Period] = []
    n = 0
    while True:
        start = agreement.starts_on + relativedelta(months=n * months)
        if start > through or start > agreement.ends_on:
            return out
        end = agreement.starts_on + relativedelta(months=(n + 1) * months) - timedelta(days=1)
        out.append(Period(start, end))
        n += 1


def billable_lines(session: Session, agreement: Agreement, period: Period) -> list[BillableLine]:
    """The lines to bill for one period (empty for a free agreement)."""
    if agreement.price_cents <= 0:
        return []
    cycle = BillingCycle(agreement.billing_cycle).value
    return [
        BillableLine(
            agreement_id=agreement.id,
            agreement=agreement.number,
            customer_id=agreement.customer_id,
            period_start=period.start,
            period_end=period.end,
            description=f"{agreement.name} ({agreement.number}), {cycle} "
            f"{period.start.isoformat()} to {period.end.isoformat()}",
            quantity=1,
            unit_price_cents=agreement.price_cents,
        )
    ]


@dataclass
class BillResult:
    through: date
    dry_run: bool
    billed: list[dict] = field(default_factory=list)
    skipped: int = 0

    def to_json(self) -> dict:
        return {
            "through": self.through.isoformat(),
            "dry_run": self.dry_run,
            "billed": self.billed,
            "skipped": self.skipped,
        }


def _billed(session: Session, agreement_id: int) -> set[date]:
    return set(
        session.exec(
            select(col(AgreementBilling.period_start)).where(
                AgreementBilling.agreement_id == agreement_id
            )
        )
    )


def bill(
    session: Session, through: date, *, dry_run: bool = False, actor: str = "dispatcher"
) -> BillResult:
    """Draft one invoice per unbilled agreement period that started on or before `through`."""
    from svcdesk.services.billing.invoices import LineDraft, create_invoice

    result = BillResult(through, dry_run)
    agreements = session.exec(
        select(Agreement).where(col(Agreement.status).in_(BILLABLE)).order_by(Agreement.number)
    ).all()
    for agreement in agreements:
        done = _billed(session, agreement.id)
        for period in periods(agreement, through):
            if period.start in done:
                result.skipped += 1
                continue
            lines = billable_lines(session, agreement, period)
            if not lines:
                continue
            entry = {
                "agreement": agreement.number,
                "period_start": period.start.isoformat(),
                "period_end": period.end.isoformat(),
                "amount_cents": sum(line.amount_cents for line in lines),
                "invoice": None,
            }
            if not dry_run:
                claimed = session.execute(
                    insert_skip_duplicates(session, AgreementBilling)
                    .values(agreement_id=agreement.id, period_start=period.start,
                            period_end=period.end, amount_cents=entry["amount_cents"],
                            created_at=now())
                    .returning(AgreementBilling.id)
                ).first()  # fmt: skip
                if claimed is None:  # another run billed it a moment ago
                    result.skipped += 1
                    continue
                invoice = create_invoice(
                    session,
                    customer_id=agreement.customer_id,
                    agreement_id=agreement.id,
                    memo=f"Service agreement {agreement.number}",
                    actor=actor,
                    lines=[
                        LineDraft(
                            description=line.description,
                            unit_price_cents=line.unit_price_cents,
                            qty_milli=line.quantity * 1000,
                            kind="fee",
                            taxable=False,
                            source="agreement",
                            source_id=agreement.id,
                            source_label=agreement.number,
                        )
                        for line in lines
                    ],
                )
                row = must_get(session, AgreementBilling, claimed[0])
                row.invoice_ref = invoice.number
                entry["invoice"] = invoice.number
            result.billed.append(entry)
    session.flush()
    return result
