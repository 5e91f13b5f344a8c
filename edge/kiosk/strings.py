"""Every text the kiosk screen shows, in one place (Vietnamese; an English fallback can sit beside it)."""
from __future__ import annotations

VI = {
    "title": "Máy quét đơn thư",
    "ready": "Sẵn sàng. Đặt đơn vào khay nạp giấy rồi bấm “Quét”.",
    "ready_hotfolder": "Sẵn sàng. Đang chờ đơn từ máy quét mạng.",
    "scanning": "Đang quét trang {n}…",
    "feeder_empty": "Đã hết giấy trong khay: đã quét {n} trang. Có thể đặt tập đơn tiếp theo.",
    "error": "Lỗi",
    "disk_full": "Bộ nhớ thiết bị sắp đầy. Ngừng quét và báo cho kỹ thuật viên.",
    "online": "Đã kết nối máy chủ.",
    "offline": "Mất kết nối máy chủ — {k} tin đang chờ gửi. Dữ liệu vẫn được lưu an toàn trên máy.",
    "backlog": "Đang nhận dạng chữ: còn {b} trang.",
    "scan_button": "Quét",
    "batch": "Tập đang quét",
    "recent": "Đơn vừa quét",
    "verdict_new": "Đơn mới",
    "verdict_same": "Trùng nội dung với hồ sơ {ref}",
    "verdict_resub": "Gửi lại hồ sơ {ref} đã giải quyết{date}",
    "verdict_wait": "Đang chờ máy chủ đối chiếu…",
    "page_failed": "Trang lỗi — đã lưu, cần kiểm tra",
    "page_low": "Chữ mờ — cần kiểm tra",
    "page_blank": "Trang trắng (mặt sau?) — kiểm tra lại",
    "page_wait": "Đang xử lý",
    "pages": "trang",
}
