"""Billing: the price book (flat-rate tasks, fees, labor rates, part markup tiers), quotes
with good/better/best options, invoices with their lines, and payments.

Money columns end in `_cents` (integers); rates end in `_bp` (basis points, 825 = 8.25 %);
quantities end in `_milli` (thousandths of a unit: 1.5 h = 1500). Invoice and quote lines
COPY their prices, so later price-book changes never alter an existing document."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from svcdesk.clock import now
from svcdesk.models.base import utc_field


class ItemKind(StrEnum):
    TASK = "task"  # flat-rate service task
    FEE = "fee"  # trip charge, disposal, ...


class LineKind(StrEnum):
    TASK = "task"
    LABOR = "labor"
    PART = "part"
    FEE = "fee"
    OTHER = "other"  # free-form


class RateKind(StrEnum):
    REGULAR = "regular"
    OVERTIME = "overtime"  # outside the technician's shift
    EMERGENCY = "emergency"  # emergency-priority orders


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    APPROVED = "approved"
    DECLINED = "declined"
    EXPIRED = "expired"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHECK = "check"
    CARD = "card"
    ACH = "ach"


class Coverage(StrEnum):
    WARRANTY = "warranty"
    AGREEMENT = "agreement"


class PriceBookItem(SQLModel, table=True):
    __tablename__ = "price_book_item"

    id: int = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # upper-case, e.g. "TUNEUP-AC", "TRIP"
    kind: str = ItemKind.TASK.value
    name: str
    description: str | None = None
    price_cents: int = 0
    cost_cents: int = 0
    est_minutes: int | None = None
    skill: str | None = None  # skill code, e.g. "hvac"
    taxable: bool = True
    active: bool = True
    updated_at: datetime = utc_field(default_factory=now, nullable=False)


class LaborRate(SQLModel, table=True):
    """Hourly rate per kind; `level` (technician level) overrides the shop-wide row."""

    __tablename__ = "labor_rate"
    __table_args__ = (UniqueConstraint("kind", "level"),)

    id: int = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # e.g. "LABOR-REG", "LABOR-OT-SENIOR"
    kind: str = RateKind.REGULAR.value
    level: str | None = None  # None = every level
    name: str
    rate_cents: int  # per hour
    taxable: bool = False
    updated_at: datetime = utc_field(default_factory=now, nullable=False)


class MarkupTier(SQLModel, table=True):
    """Parts without a list price are sold at cost + markup of the tier their unit cost falls
    in: the tier with the highest `min_cost_cents` not above the cost."""

    __tablename__ = "markup_tier"

    id: int = Field(default=None, primary_key=True)
    code: str = Field(unique=True)  # e.g. "MARKUP-0", "MARKUP-50"
    min_cost_cents: int = Field(unique=True)
    markup_bp: int  # 10000 = +100 %
    updated_at: datetime = utc_field(default_factory=now, nullable=False)


class Quote(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # Q-000001
    customer_id: int = Field(foreign_key="customer.id", index=True)
    site_id: int | None = Field(default=None, foreign_key="site.id")
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    title: str
    notes: str | None = None
    status: str = Field(default=QuoteStatus.DRAFT.value, index=True)
    valid_until: date | None = None
    chosen_option_id: int | None = None
    decline_reason: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    sent_at: datetime | None = utc_field()
    decided_at: datetime | None = utc_field()
    updated_at: datetime = utc_field(default_factory=now, nullable=False)
    created_by: str = "dispatcher"


class QuoteOption(SQLModel, table=True):
    """One choice on a quote (good / better / best); a plain quote has one option."""

    __tablename__ = "quote_option"
    __table_args__ = (UniqueConstraint("quote_id", "position"),)

    id: int = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True)
    position: int
    name: str
    description: str | None = None


class QuoteLine(SQLModel, table=True):
    __tablename__ = "quote_line"

    id: int = Field(default=None, primary_key=True)
    option_id: int = Field(foreign_key="quote_option.id", index=True)
    position: int
    kind: str = LineKind.TASK.value
    code: str | None = None
    description: str
    qty_milli: int = 1000
    unit_price_cents: int
    taxable: bool = True
    discount_bp: int = 0
    discount_amount_cents: int = 0


class Invoice(SQLModel, table=True):
    __table_args__ = (Index("ix_invoice_customer_status", "customer_id", "status"),)

    id: int = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # INV-000001; a voided number is never reused
    customer_id: int = Field(foreign_key="customer.id")
    site_id: int | None = Field(default=None, foreign_key="site.id")
    order_id: int | None = Field(default=None, foreign_key="work_order.id", index=True)
    agreement_id: int | None = Field(default=None, index=True)
    status: str = Field(default=InvoiceStatus.DRAFT.value, index=True)
    memo: str | None = None
    tax_rate_bp: int = 0  # copied from the site when the invoice is created
    tax_exempt: bool = False  # copied from the customer
    discount_bp: int = 0  # invoice-level discount (percentage) ...
    discount_amount_cents: int = 0  # ... or amount; spread over the lines
    # Totals, recomputed from the lines on every change (the lines always add up to them).
    subtotal_cents: int = 0  # sum of gross line amounts
    covered_cents: int = 0  # warranty + agreement coverage
    discount_cents: int = 0  # line + invoice discounts
    tax_cents: int = 0
    total_cents: int = 0
    paid_cents: int = 0
    issued_at: datetime | None = utc_field(index=True)
    issued_on: date | None = None  # the shop-local day it was sent (the invoice date)
    due_on: date | None = None
    paid_at: datetime | None = utc_field()
    void_reason: str | None = None
    voided_at: datetime | None = utc_field()
    created_at: datetime = utc_field(default_factory=now, nullable=False)
    updated_at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    created_by: str = "dispatcher"
    version: int = 1


class InvoiceLine(SQLModel, table=True):
    """One line. `source` says where it came from ("time_entry", "part_usage", "price_book",
    "quote_line", "manual", "agreement") and `source_id` which row; coverage is shown."""

    __tablename__ = "invoice_line"

    id: int = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int
    kind: str = LineKind.OTHER.value
    code: str | None = None
    description: str
    qty_milli: int = 1000
    unit_price_cents: int
    taxable: bool = True
    source: str = "manual"
    source_id: int | None = None
    source_label: str | None = None  # e.g. "Alice Ng 11-24 09:00-10:30 (overtime)"
    coverage: str | None = None  # warranty | agreement
    coverage_bp: int = 0  # share of the gross amount covered (10000 = all of it)
    coverage_note: str | None = None
    discount_bp: int = 0  # line discount, percentage ...
    discount_amount_cents: int = 0  # ... or amount
    # Computed (see services/billing/arith.py):
    gross_cents: int = 0
    covered_cents: int = 0
    discount_cents: int = 0  # line discount + this line's share of the invoice discount
    net_cents: int = 0
    tax_cents: int = 0
    total_cents: int = 0


class Payment(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount_cents: int
    method: str = PaymentMethod.CHECK.value
    received_on: date
    reference: str | None = None
    created_at: datetime = utc_field(default_factory=now, nullable=False, index=True)
    recorded_by: str = "dispatcher"
