"""Files on an order or visit (photos, documents) and the customer's sign-off.

A file is copied into `<data dir>/attachments/<sha[:2]>/<sha256>` (identical content is
stored once). Refused with one clear line: a missing file, a directory, an empty file, a
name that tries to leave its folder (`..`, absolute paths or separators in `name`), and a
`base_dir`-relative reference that resolves outside `base_dir` (used when a file lists
attachments by relative path). Reading back checks the stored path stays in the data dir."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
from datetime import datetime
from pathlib import Path, PurePath

from sqlmodel import Session, col, select

from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import Attachment, AttachmentKind, Signature
from svcdesk.services.common import events

MAX_BYTES = 50 * 1024 * 1024


def parse_kind(text: str) -> AttachmentKind:
    try:
        return AttachmentKind(text.strip().lower())
    except ValueError:
        raise InvalidInput(f"kind: {text!r} is not one of photo, document, signature") from None


def safe_name(name: str) -> str:
    """A display file name without any directory part; refuses traversal attempts."""
    text = (name or "").strip()
    pure = PurePath(text)
    if not text or text in (".", "..") or pure.is_absolute() or len(pure.parts) != 1:
        raise InvalidInput(f"name: {name!r} must be a plain file name (no folders, no '..')")
    if "/" in text or "\\" in text or "\x00" in text:
        raise InvalidInput(f"name: {name!r} must be a plain file name (no folders, no '..')")
    return text


def resolve_source(path: str | Path, base_dir: Path | None = None) -> Path:
    """The file to copy. With `base_dir`, `path` must stay inside it (no traversal)."""
    raw = Path(path).expanduser()
    if base_dir is not None:
        base = base_dir.resolve()
        target = (base / raw).resolve()
        if not target.is_relative_to(base):
            raise InvalidInput(f"{path}: path leaves {base_dir} (path traversal refused)")
    else:
        target = raw.resolve()
    if not target.exists():
        raise InvalidInput(f"{path}: no such file")
    if not target.is_file():
        raise InvalidInput(f"{path}: not a regular file")
    size = target.stat().st_size
    if size == 0:
        raise InvalidInput(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise InvalidInput(f"{path}: {size} bytes is over the {MAX_BYTES // 2**20} MB limit")
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store_blob(source: Path, data_dir: Path) -> tuple[str, str]:
    """Copy into the content store (temp file + rename). Returns (sha256, relative path)."""
    sha = _sha256(source)
    rel = Path("attachments") / sha[:2] / sha
    target = data_dir / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha}.{os.getpid()}.part")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return sha, rel.as_posix()


def stored_file(attachment: Attachment, data_dir: Path) -> Path:
    """The stored copy's absolute path; refuses a path that leaves the data dir."""
    base = data_dir.resolve()
    path = (base / attachment.stored_path).resolve()
    if not path.is_relative_to(base):
        raise InvalidInput(f"attachment {attachment.id}: stored path leaves the data dir")
    if not path.is_file():
        raise NotFound(f"attachment {attachment.id}: file {attachment.stored_path} is missing")
    return path


def add_attachment(
    session: Session,
    order: WorkOrder,
    path: str | Path,
    data_dir: Path,
    *,
    visit: Visit | None = None,
    kind: AttachmentKind | str = AttachmentKind.DOCUMENT,
    name: str | None = None,
    caption: str | None = None,
    base_dir: Path | None = None,
    actor: str = "dispatcher",
) -> Attachment:
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    if visit is not None and visit.order_id != order.id:
        raise InvalidInput(f"visit {visit.id} is not on {order.number}")
    display = safe_name(name) if name is not None else None
    source = resolve_source(path, base_dir)
    display = display or safe_name(source.name)
    sha, rel = store_blob(source, data_dir)
    att = Attachment(
        order_id=order.id,
        visit_id=visit.id if visit else None,
        kind=kind.value,
        filename=display,
        sha256=sha,
        size_bytes=source.stat().st_size,
        content_type=mimetypes.guess_type(display)[0],
        stored_path=rel,
        caption=caption,
        added_at=now(),
        added_by=actor,
    )
    session.add(att)
    session.flush()
    events.record(
        session,
        order,
        "attachment",
        f"{kind.value} {display}" + (f": {caption}" if caption else ""),
        actor=actor,
        data={"attachment_id": att.id, "sha256": sha, "visit_id": att.visit_id},
    )
    return att


def copy_attachments(
    session: Session, from_order: WorkOrder, to_order: WorkOrder, *, actor: str = "system"
) -> int:
    """Give `to_order` the same files as `from_order` (no copy on disk: same hash)."""
    count = 0
    for att in order_attachments(session, from_order.id):
        session.add(
            Attachment(
                order_id=to_order.id,
                kind=att.kind,
                filename=att.filename,
                sha256=att.sha256,
                size_bytes=att.size_bytes,
                content_type=att.content_type,
                stored_path=att.stored_path,
                caption=att.caption,
                added_at=now(),
                added_by=actor,
            )
        )
        count += 1
    session.flush()
    return count


def order_attachments(session: Session, order_id: int) -> list[Attachment]:
    return list(
        session.exec(
            select(Attachment).where(Attachment.order_id == order_id).order_by(col(Attachment.id))
        )
    )


def get_attachment(session: Session, attachment_id: int) -> Attachment:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return att


def sign_off(
    session: Session,
    order: WorkOrder,
    signer_name: str,
    *,
    visit: Visit | None = None,
    signed_at: datetime | None = None,
    image: str | Path | None = None,
    data_dir: Path | None = None,
    actor: str = "dispatcher",
) -> Signature:
    """Record the customer's sign-off (name + time, and an image file when given)."""
    signer = (signer_name or "").strip()
    if not signer:
        raise InvalidInput("signer: the signer's name is required")
    attachment_id = None
    if image is not None:
        if data_dir is None:
            raise InvalidInput("signature image: no data directory")
        att = add_attachment(
            session,
            order,
            image,
            data_dir,
            visit=visit,
            kind=AttachmentKind.SIGNATURE,
            caption=f"signed by {signer}",
            actor=actor,
        )
        attachment_id = att.id
    sig = Signature(
        order_id=order.id,
        visit_id=visit.id if visit else None,
        signer_name=signer,
        signed_at=signed_at or now(),
        attachment_id=attachment_id,
        recorded_by=actor,
    )
    session.add(sig)
    session.flush()
    events.record(
        session,
        order,
        "signature",
        f"signed off by {signer}" + (" (with image)" if attachment_id else ""),
        actor=actor,
        data={"signature_id": sig.id, "visit_id": sig.visit_id},
    )
    return sig


def order_signatures(session: Session, order_id: int) -> list[Signature]:
    return list(
        session.exec(
            select(Signature)
            .where(col(Signature.order_id) == order_id)
            .order_by(col(Signature.signed_at))
        )
    )
