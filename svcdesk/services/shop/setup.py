"""Starting a shop: `svcdesk init` makes the database and records the company name, time
zone, business hours, the default tax zone and optionally the first staff member and the
regular hourly labor rate. Every value is checked before anything is
created, so a refusal leaves no file behind; a path that already holds a database (svcdesk
or not) is refused."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from svcdesk.config import resolve_db_url
from svcdesk.db import is_shop, make_engine, shown_name, write_session
from svcdesk.errors import InvalidInput

LABOR_CODE = "LABOR"  # the price book code of the regular hourly rate `init` records


@dataclass(frozen=True)
class ShopStart:
    company: str
    timezone: str
    hours: str
    tax_zone: str
    tax_rate: str  # percent, "8.25"
    staff: str | None = None  # the first staff member (a manager), `init --staff NAME`
    labor_rate: str | None = None  # the regular hourly rate, "95.00" (price book LABOR)
    address: str | None = None  # company.address: on documents; its ZIP is the depot
    phone: str | None = None  # company.phone
    email: str | None = None  # company.email


# ShopStart's optional company details and the settings that hold them
COMPANY_DETAILS = (
    ("address", "company.address"),
    ("phone", "company.phone"),
    ("email", "company.email"),
)


def check(start: ShopStart) -> ShopStart:
    """The canonical values, or InvalidInput naming the first bad one."""
    from svcdesk.services.common.settings import SPECS
    from svcdesk.services.crm.staff import check_name
    from svcdesk.services.crm.tax import _name, parse_rate

    company = SPECS["company.name"].check(start.company)
    zone = SPECS["shop.timezone"].check(start.timezone)
    hours = SPECS["shop.hours"].check(start.hours)
    if not hours:
        raise InvalidInput("shop.hours: the shop needs business hours like mon-fri 08:00-17:00")
    tax_zone = _name(start.tax_zone)
    parse_rate(start.tax_rate)
    staff = check_name(start.staff, "staff") if start.staff is not None else None
    rate = start.labor_rate.strip() if start.labor_rate is not None else None
    if rate is not None:
        from svcdesk.services.common.money import parse_money

        if parse_money(rate, field="labor rate") <= 0:
            raise InvalidInput(f"labor rate: {rate!r} is not an hourly rate like 95.00")
    details = {
        field: SPECS[key].check(value) if (value := getattr(start, field)) is not None else None
        for field, key in COMPANY_DETAILS
    }
    return ShopStart(company, zone, hours, tax_zone, start.tax_rate.strip(), staff, rate, **details)


def depot_words(address: str) -> str:
    """Where the drive times of technicians without a home start, in words."""
    from svcdesk.services.dispatch.settings import depot_zip

    zip_code = depot_zip(address)
    if zip_code is None:
        return (
            "no ZIP found: drive times start at each technician's home (techs edit --home) "
            "or their first job"
        )
    return f"drive times start from ZIP {zip_code}"


def check_target(url: str) -> Path | None:
    """The SQLite file `url` names (None for a server database); refuses what is not a
    place for a new shop."""
    if url in ("sqlite://", "sqlite:///:memory:"):
        raise InvalidInput("init: an in-memory database would be gone at once; give a file")
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InvalidInput(f"init: {path} is not a regular file; choose another path")
    if path.exists() and path.stat().st_size > 0:
        raise InvalidInput(
            f"init: {path} already exists; svcdesk starts a shop only in a new file "
            "(a svcdesk database there is opened with --db; anything else is left alone)"
        )
    return path


def start_shop(
    db: str | None, start: ShopStart, *, actor: str = "system", on_behalf_of: str | None = None
) -> Engine:
    """Create the database at `db` (path or URL) and record the shop's basics, as `actor`
    (on behalf of `on_behalf_of` when the actor is the new staff member)."""
    from svcdesk.services.billing.pricebook_csv import save_entry
    from svcdesk.services.common.events import act_as
    from svcdesk.services.common.settings import set_setting
    from svcdesk.services.crm.staff import add_staff
    from svcdesk.services.crm.tax import add_zone

    start = check(start)
    url = resolve_db_url(db)
    path = check_target(url)
    created_dir = None
    if path is not None and not path.parent.exists():
        created_dir = next(p for p in [path.parent, *path.parent.parents] if p.parent.exists())
    existed = path is not None and path.exists()
    if path is None:  # a server database: it must exist (the DBA made it) and be empty
        probe = make_engine(url, create=False)
        try:
            known = is_shop(probe)
        except Exception as exc:  # unreachable server, no such database, no permission
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise InvalidInput(
                f"init: cannot open {shown_name(url)} ({reason}); create the (empty) database "
                "on the server first"
            ) from None
        finally:
            probe.dispose()
        if known:
            raise InvalidInput(f"init: {shown_name(url)} already holds a svcdesk shop")
    try:
        engine = make_engine(url)
        act_as(engine, actor, on_behalf_of)
        with write_session(engine) as session:
            if start.staff is not None:
                add_staff(session, start.staff, role="manager", actor=actor)
            set_setting(session, "company.name", start.company, actor=actor)
            set_setting(session, "shop.timezone", start.timezone, actor=actor)
            set_setting(session, "shop.hours", start.hours, actor=actor)
            for field, key in COMPANY_DETAILS:
                if (value := getattr(start, field)) is not None:
                    set_setting(session, key, value, actor=actor)
            add_zone(session, start.tax_zone, start.tax_rate, default=True, actor=actor)
            if start.labor_rate is not None:
                regular = {"type": "labor", "kind": "regular", "name": "Regular labor"}
                save_entry(session, LABOR_CODE, {**regular, "price": start.labor_rate})
    except BaseException:
        if path is not None and not existed:
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            if created_dir is not None:
                import shutil

                shutil.rmtree(created_dir, ignore_errors=True)
        raise
    return engine
