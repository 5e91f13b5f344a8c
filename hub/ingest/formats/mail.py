"""E-mailed petitions (RFC 822 .eml, stdlib ``email``): the body, then each attachment's text.

A cover mail with an attached letter is one document. Images the HTML body shows itself
(``cid:`` logos, signatures) are part of the mail, not attachments; every other attachment
is read as a file of its own kind, a forwarded mail as a mail.
"""
from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from hub.exceptions import ImportFailed
from hub.ingest.formats import PageText, limits

# Any part's header starts a line with Content-Type; counting them bounds the parser's work
# before it runs (it nests one generator per level).
_CONTENT_TYPE = re.compile(rb"(?im)^content-type\s*:")


def mail_pages(data: bytes, name: str, *, depth: int = 0, deadline: float) -> list[PageText]:
    """The body of a mail as its first page(s), then each attachment's pages."""
    from hub.ingest.formats import extract

    parts = len(_CONTENT_TYPE.findall(data))
    if parts > limits.MAX_MIME_PARTS:
        raise _hostile(name, f"{parts} parts (limit {limits.MAX_MIME_PARTS})")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(data)
    except (ValueError, TypeError, LookupError, RecursionError) as e:
        raise ImportFailed(f"{name}: not a readable e-mail: {type(e).__name__}: {e}",
                           message_vi="Tệp thư điện tử bị hỏng hoặc không đọc được.") from e
    if not isinstance(msg, EmailMessage) or not (msg.keys() or msg.get_payload()):
        raise ImportFailed(f"{name}: not an e-mail", message_vi="Tệp không phải thư điện tử.")
    body = msg.get_body(preferencelist=("plain", "html"))
    pages = [PageText(_part_text(body, name))] if body is not None else []
    shown = _cids(body) if body is not None else set()
    for label, part in _attachments(msg, body, name, depth):
        payload_name = f"{name}/{label}"
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()[0] if isinstance(part.get_payload(), list) else part.get_payload()
            raw = inner.as_bytes() if hasattr(inner, "as_bytes") else bytes(inner)
            pages += mail_pages(raw, payload_name, depth=depth + 1, deadline=deadline)
            continue
        cid = (part.get("Content-ID") or "").strip("<> ")
        if cid and cid in shown:
            continue
        data_ = part.get_payload(decode=True) or b""
        if part.get_content_maintype() == "text" and not part.get_filename():
            pages.append(PageText(_part_text(part, payload_name)))
        else:
            pages += extract(payload_name, data_, depth=depth + 1, deadline=deadline)
    if not pages:
        raise ImportFailed(f"{name}: the e-mail has neither a text body nor attachments",
                           message_vi="Thư điện tử không có nội dung hay tệp đính kèm.")
    return pages


def _attachments(msg: EmailMessage, body, name: str, depth: int):
    """(label, part) of every leaf that is not the body or one of its alternatives, in order."""
    stack = [(msg, depth)]
    n = 0
    out = []
    while stack:
        part, level = stack.pop()
        if level > limits.MAX_MIME_DEPTH:
            raise _hostile(name, f"parts nested over {limits.MAX_MIME_DEPTH} levels deep")
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            children = list(part.iter_parts())
            if ctype == "multipart/alternative" and any(c is body for c in children):
                continue  # the body in its other forms
            stack.extend((c, level + 1) for c in reversed(children))
            continue
        if part is body:
            continue
        n += 1
        out.append((part.get_filename() or f"part-{n}", part))
    return out


def _part_text(part, name: str) -> str:
    try:
        text = part.get_content()
    except (LookupError, ValueError, AssertionError) as e:
        raise ImportFailed(f"{name}: unreadable text part: {type(e).__name__}: {e}",
                           message_vi="Nội dung thư điện tử bị hỏng hoặc không đọc được.") from e
    if not isinstance(text, str):
        text = bytes(text).decode("utf-8", "replace")
    return _html_text(text) if part.get_content_subtype() == "html" else text


def _cids(body) -> set[str]:
    if body is None or body.get_content_subtype() != "html":
        return set()
    return set(re.findall(r"cid:([^\"'>\s]+)", body.get_content()))


class _Text(HTMLParser):
    """The visible text of an HTML mail body, a line per block."""

    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.hidden += 1
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.out.append(data)


def _html_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    lines = (" ".join(line.split()) for line in "".join(p.out).splitlines())
    return "\n".join(line for line in lines if line)


def _hostile(name: str, why: str) -> ImportFailed:
    return ImportFailed(f"{name}: refused: {why}",
                        message_vi="Thư điện tử có cấu trúc bất thường (có thể là tệp độc hại); không nhập.")
