"""Files on an order or visit (photos, documents) and the customer's sign-off.

A file is copied into `<data dir>/attachments/<sha[:2]>/<sha256>` (identical content is
stored once). Refused with one clear line: a missing file, a directory, an empty file, a
name that tries to leave its folder (`..`, absolute paths or separators in `name`), and a
`base_dir`-relative reference that resolves outside `base_dir` (used when a file lists
attachments by relative path). Reading back checks the stored path stays in the data dir."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import mimetypes
import os
import stat
from datetime import datetime
from pathlib import Path, PurePath

from sqlmodel import Session, col, select

from svcdesk.atomicfile import create_temp
from svcdesk.clock import now
from svcdesk.errors import InvalidInput, NotFound
from svcdesk.models import Visit, WorkOrder
from svcdesk.models.execution import Attachment, AttachmentKind, Signature
from svcdesk.services.common import events
from svcdesk.services.common.rows import children

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
    """The file to copy: a regular file, never reached through a symbolic link (a link to a
    file the user should not share — a root-only key — is refused, not followed). With
    `base_dir`, `path` must stay inside it (no traversal, no link leading out)."""
    raw = Path(path).expanduser()
    if "\x00" in str(path):
        raise InvalidInput(f"{path!r}: a file name cannot contain a NUL byte")
    if base_dir is not None:
        base = Path(os.path.abspath(base_dir))
        target = Path(os.path.normpath(base / raw))
        if not target.is_relative_to(base):
            raise InvalidInput(f"{path}: path leaves {base_dir} (path traversal refused)")
        if target.resolve() != base.resolve() / target.relative_to(base):
            raise InvalidInput(f"{path}: goes through a symbolic link (refused)")
    else:
        target = Path(os.path.abspath(raw))
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such file") from None
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise InvalidInput(f"{path}: is a symbolic link; attach the file itself")
    if not stat.S_ISREG(st.st_mode):
        raise InvalidInput(f"{path}: not a regular file")
    _check_size(path, st.st_size)
    return target


def _check_size(path, size: int) -> None:
    if size == 0:
        raise InvalidInput(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise InvalidInput(f"{path}: {size} bytes is over the {MAX_BYTES // 2**20} MB limit")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _private_dirs(data_dir: Path, folder: Path) -> None:
    """Create `folder` (under data_dir) and its parents up to data_dir, all 0700."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    here = folder
    while here.is_relative_to(data_dir):
        with contextlib.suppress(OSError):
            os.chmod(here, 0o700)
        if here == data_dir:
            break
        here = here.parent


def store_blob(source: Path, data_dir: Path) -> tuple[str, str, int]:
    """Copy into the content store: the source is opened once without following a link
    and checked (regular file, size) on the open descriptor, copied to a 0600 temp file
    while hashed, then renamed to its hash (folders 0700). Returns (sha256, relative path,
    size)."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidInput(f"{source}: is a symbolic link; attach the file itself") from None
        raise InvalidInput(f"{source}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as src:
        st = os.fstat(src.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput(f"{source}: not a regular file")
        _check_size(source, st.st_size)
        store = data_dir / "attachments"
        _private_dirs(data_dir, store)
        tmp = create_temp(store / "incoming")
        digest, size = hashlib.sha256(), 0
        try:
            with open(tmp, "wb") as out:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise InvalidInput(f"{source}: over the {MAX_BYTES // 2**20} MB limit")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            rel = Path("attachments") / sha[:2] / sha
            target = data_dir / rel
            _private_dirs(data_dir, target.parent)
            if target.exists():
                tmp.unlink()
            else:
                os.chmod(tmp, 0o600)
                os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return sha, rel.as_posix(), size


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
    sha, rel, size = store_blob(source, data_dir)
    att = Attachment(
        order_id=order.id,
        visit_id=visit.id if visit else None,
        kind=kind.value,
        filename=display,
        sha256=sha,
        size_bytes=size,
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
    events.record_change(session, "attachment", att.id, "added", actor=actor, after={
        "order": order.number, "visit": att.visit_id, "kind": kind.value, "file": display,
        "size": f"{size:,} bytes", "caption": caption,
    })  # fmt: skip
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
    return children(session, Attachment, Attachment.order_id, order_id)


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
