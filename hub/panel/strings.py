"""Every user-visible string of the operator panel, Vietnamese first, English as a fallback.

Templates and views call :func:`t` with a key; ``PANEL_LANG`` picks the table and any key
missing from it falls back to Vietnamese, so a partial translation never shows a blank.
"""
from __future__ import annotations

from flask import current_app, has_app_context

VI: dict[str, str] = {
    "app.title": "Quản lý đơn thư – Trung tâm",
    "nav.devices": "Thiết bị",
    "nav.documents": "Đơn thư",
    "nav.search": "Tìm kiếm",
    "nav.duplicates": "Đơn trùng",
    "nav.logout": "Đăng xuất",
    "nav.signed_in_as": "Đang đăng nhập:",
    # auth
    "auth.title": "Đăng nhập",
    "auth.username": "Tên đăng nhập",
    "auth.password": "Mật khẩu",
    "auth.submit": "Đăng nhập",
    "auth.bad_credentials": "Tên đăng nhập hoặc mật khẩu không đúng.",
    "auth.required": "Vui lòng đăng nhập để tiếp tục.",
    "auth.logged_out": "Bạn đã đăng xuất.",
    "auth.logout_confirm": "Bạn có muốn đăng xuất không?",
    "auth.api_required": "Cần đăng nhập.",
    # errors
    "error.title": "Có lỗi",
    "error.csrf": "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại.",
    "error.bad_request": "Yêu cầu không hợp lệ.",
    "error.not_found": "Không tìm thấy trang hoặc dữ liệu bạn cần.",
    "error.method": "Thao tác này không được phép.",
    "error.server": "Đã xảy ra lỗi ở máy chủ. Vui lòng thử lại sau.",
    "error.back": "Về trang thiết bị",
    # devices
    "devices.title": "Thiết bị tại các điểm tiếp dân",
    "devices.none": "Chưa có thiết bị nào kết nối tới trung tâm.",
    "devices.col.id": "Mã thiết bị",
    "devices.col.status": "Trạng thái",
    "devices.col.last_seen": "Liên lạc lần cuối",
    "devices.col.pages_today": "Trang hôm nay",
    "devices.col.outbox": "Chờ gửi",
    "devices.col.ocr_backlog": "Chờ nhận dạng",
    "devices.col.scanner": "Máy quét",
    "devices.col.last_error": "Lỗi gần nhất",
    "devices.auto_refresh": "Tự cập nhật mỗi 10 giây. Cập nhật lúc",
    "device.online": "trực tuyến",
    "device.offline": "ngoại tuyến",
    "device.lost": "mất liên lạc",
    "device.never": "chưa bao giờ",
    # scanner states reported by kiosks
    "scanner.ready": "sẵn sàng",
    "scanner.idle": "sẵn sàng",
    "scanner.scanning": "đang quét",
    "scanner.busy": "đang quét",
    "scanner.paper_jam": "kẹt giấy",
    "scanner.jam": "kẹt giấy",
    "scanner.cover_open": "nắp đang mở",
    "scanner.not_found": "không thấy máy quét",
    "scanner.scanner_not_found": "không thấy máy quét",
    "scanner.offline": "không kết nối",
    "scanner.error": "lỗi",
    "scanner.unknown": "chưa rõ",
    # time
    "time.just_now": "vừa xong",
    "time.minutes_ago": "{n} phút trước",
    "time.hours_ago": "{n} giờ trước",
    "time.days_ago": "{n} ngày trước",
    "time.in_future": "đồng hồ lệch",
    # documents
    "documents.title": "Đơn thư đã nhận",
    "documents.none": "Chưa có đơn thư nào.",
    "documents.col.received": "Thời điểm nhận",
    "documents.col.source": "Nguồn",
    "documents.col.pages": "Số trang",
    "documents.col.excerpt": "Dòng đầu",
    "documents.col.status": "Tình trạng",
    "documents.badge.incomplete": "thiếu trang",
    "documents.badge.duplicate": "có thể trùng",
    "documents.source.kiosk": "Điểm tiếp dân",
    "documents.source.import": "Tệp nhập",
    "documents.prev": "← Trang trước",
    "documents.next": "Trang sau →",
    "documents.page_of": "Trang {page}/{pages} · {total} đơn",
    "doc.title": "Đơn thư",
    "doc.meta": "Thông tin",
    "doc.id": "Mã đơn",
    "doc.source": "Nguồn",
    "doc.device": "Thiết bị",
    "doc.file": "Tệp",
    "doc.batch": "Lô quét",
    "doc.scanned_at": "Thời điểm quét",
    "doc.received_at": "Thời điểm nhận",
    "doc.page_count": "Số trang",
    "doc.images": "Ảnh đã nhận",
    "doc.case_ref": "Số hồ sơ",
    "doc.status": "Tình trạng",
    "doc.resolved_at": "Ngày giải quyết",
    "doc.status_form": "Cập nhật tình trạng",
    "doc.status_save": "Lưu",
    "doc.status_saved": "Đã cập nhật tình trạng đơn.",
    "doc.status_bad": "Tình trạng không hợp lệ.",
    "doc.resolved_date_bad": "Hãy chọn ngày giải quyết hợp lệ (không sau hôm nay).",
    "doc.pages": "Các trang",
    "doc.page_n": "Trang {n}",
    "doc.page_missing": "Chưa nhận được ảnh trang này.",
    "doc.page_no_text": "(Không nhận dạng được chữ)",
    "doc.ocr_confidence": "Độ tin cậy OCR",
    "doc.skew": "Độ nghiêng",
    "doc.flags": "Ghi chú",
    "doc.open_image": "Mở ảnh gốc",
    "doc.text": "Nội dung",
    "doc.duplicates": "Đơn có thể trùng",
    "doc.no_duplicates": "Không có đơn nào được đề xuất là trùng.",
    "status.received": "Đã tiếp nhận",
    "status.in_progress": "Đang xử lý",
    "status.resolved": "Đã giải quyết",
    # search
    "search.title": "Tìm kiếm đơn thư",
    "search.placeholder": "Nhập từ khóa, có dấu hoặc không dấu (ví dụ: khieu nai dat dai)",
    "search.submit": "Tìm",
    "search.none": "Không tìm thấy đơn nào khớp với “{q}”.",
    "search.count": "{n} kết quả cho “{q}”",
    "search.hint": "Tìm theo nội dung đơn; không phân biệt dấu và chữ hoa.",
    # duplicates
    "dup.title": "Cặp đơn có thể trùng nhau",
    "dup.none": "Không có cặp đơn nào trong mục này.",
    "dup.filter.proposed": "Chờ xem xét",
    "dup.filter.confirmed": "Đã xác nhận trùng",
    "dup.filter.rejected": "Không trùng",
    "dup.filter.all": "Tất cả",
    "dup.col.a": "Đơn A",
    "dup.col.b": "Đơn B",
    "dup.col.similarity": "Độ giống",
    "dup.col.containment": "Độ bao hàm",
    "dup.col.method": "Cách phát hiện",
    "dup.col.decision": "Quyết định",
    "dup.confirm": "Xác nhận trùng",
    "dup.reject": "Không trùng",
    "dup.decided_by": "bởi {user}, {when}",
    "dup.saved": "Đã ghi nhận quyết định.",
    "dup.bad_decision": "Quyết định không hợp lệ.",
    "dup.decision.proposed": "chờ xem xét",
    "dup.decision.confirmed": "đã xác nhận trùng",
    "dup.decision.rejected": "không trùng",
    "dup.missing_doc": "(đơn không còn trong chỉ mục)",
}

EN: dict[str, str] = {
    "app.title": "Petition records – Hub",
    "nav.devices": "Devices",
    "nav.documents": "Documents",
    "nav.search": "Search",
    "nav.duplicates": "Duplicates",
    "nav.logout": "Sign out",
    "auth.title": "Sign in",
    "auth.username": "Username",
    "auth.password": "Password",
    "auth.submit": "Sign in",
    "auth.bad_credentials": "Wrong username or password.",
    "device.online": "online",
    "device.offline": "offline",
    "device.lost": "lost contact",
}

TABLES: dict[str, dict[str, str]] = {"vi": VI, "en": EN}


def lang() -> str:
    """Language code of the interface (``PANEL_LANG``, default Vietnamese)."""
    if has_app_context():
        code = current_app.config.get("PANEL_LANG", "vi")
        if code in TABLES:
            return code
    return "vi"


def t(key: str, **params: object) -> str:
    """The interface string for ``key`` in the current language, formatted with ``params``."""
    text = TABLES[lang()].get(key) or VI.get(key) or key
    return text.format(**params) if params else text
