"""Matters several households raise together (khiếu nại, kiến nghị đông người)."""
from __future__ import annotations

import datetime as dt

from .letter import Topic, Writer
from .people import Person
from .topics_land import PROJECTS, _p, before
from .topics_life import BRANDS
from .vocab import dmy, long_date, money, money_words, unit, ward_word

BUILDINGS = ("tòa CT2 Khu đô thị Văn Khê", "chung cư HH3 Linh Đàm", "tòa nhà {b} Tower",
             "chung cư {b} Plaza", "tòa N04 Khu đô thị Trung Hòa", "chung cư CT1 Kiến Hưng",
             "tòa B2 Khu đô thị Mỹ Đình 2", "chung cư {b} Residence")


def apartment(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """The developer keeps the 2% maintenance fund and raises service fees."""
    v = w.v
    p = _p({"bld": v.choice(BUILDINGS).format(b=v.choice(BRANDS)),
            "dev": f"Công ty Cổ phần Đầu tư {v.choice(BRANDS)}", "fund": v.randint(8, 95) * 1_000_000_000,
            "fee1": v.randint(5, 12) * 1000, "hand": before(w, when, 400, 1500),
            "meet": before(w, when, 20, 200), "flats": v.randint(180, 900)}, keep)
    p["fee2"] = p.get("fee2", p["fee1"] + v.randint(2, 9) * 1000)
    un = unit(who.home.district)
    facts = [[
        w.s(f"Chúng tôi là cư dân {p['bld']} do {p['dev']} làm chủ đầu tư, gồm {p['flats']} căn hộ, "
            f"bàn giao từ tháng {p['hand'].month}/{p['hand'].year}.",
            f"{p['bld'][0].upper() + p['bld'][1:]} ({p['flats']} căn hộ) được {p['dev']} bàn giao cho cư dân từ "
            f"{long_date(p['hand'])}.",
            f"Các hộ chúng tôi đang sinh sống tại {p['bld']}, chủ đầu tư là {p['dev']}, tổng số "
            f"{p['flats']} căn hộ."),
        w.s(f"Đến nay chủ đầu tư vẫn chưa bàn giao kinh phí bảo trì 2% khoảng {money(p['fund'])} đồng "
            "cho Ban quản trị nhà chung cư.",
            f"Quỹ bảo trì 2% (ước tính {money(p['fund'])} đồng) vẫn do chủ đầu tư nắm giữ, chưa "
            "chuyển cho Ban quản trị.",
            f"Khoản kinh phí bảo trì {money(p['fund'])} đồng ({money_words(p['fund'])}) chưa được "
            "bàn giao theo quy định."),
    ], [
        w.s(f"Tại hội nghị nhà chung cư ngày {dmy(p['meet'])}, chủ đầu tư đơn phương thông báo tăng "
            f"phí dịch vụ từ {money(p['fee1'])} đồng/m² lên {money(p['fee2'])} đồng/m².",
            f"Từ sau ngày {dmy(p['meet'])}, phí dịch vụ bị nâng từ {money(p['fee1'])} lên "
            f"{money(p['fee2'])} đồng/m²/tháng mà không lấy ý kiến cư dân.",
            f"Ngày {dmy(p['meet'])}, ban quản lý thông báo giá dịch vụ mới {money(p['fee2'])} đồng/m² "
            f"(trước đây {money(p['fee1'])} đồng/m²)."),
        w.s("Hệ thống phòng cháy chữa cháy nhiều tầng không hoạt động, thang máy thường xuyên hỏng.",
            "Thang máy hỏng liên tục, bình chữa cháy hết hạn không được thay.",
            "Tầng hầm thường xuyên ngập nước, hệ thống báo cháy bị tắt."),
    ]]
    argue = [w.s("Việc làm của chủ đầu tư vi phạm Luật Nhà ở và Quy chế quản lý, sử dụng nhà chung cư.",
                 "Chủ đầu tư đã không thực hiện đúng nghĩa vụ theo quy định của pháp luật về nhà ở.")]
    req = [w.s(f"Buộc {p['dev']} bàn giao kinh phí bảo trì 2% cho Ban quản trị.",
               "Cưỡng chế bàn giao quỹ bảo trì theo quy định."),
           w.s(f"Giữ nguyên mức phí dịch vụ {money(p['fee1'])} đồng/m² cho đến khi hội nghị nhà chung cư quyết định.",
               "Không áp dụng mức phí dịch vụ mới khi chưa có ý kiến của cư dân."),
           w.s("Kiểm tra công tác phòng cháy chữa cháy tại tòa nhà.",
               "Khắc phục ngay hệ thống thang máy và phòng cháy.")]
    return Topic("apartment", v.choice(("KIẾN NGHỊ", "KHIẾU NẠI", "PHẢN ÁNH")),
                 f"bàn giao quỹ bảo trì và phí dịch vụ tại {p['bld']}",
                 [f"Chủ tịch UBND {un}", "Sở Xây dựng Hà Nội", "Chủ tịch UBND thành phố Hà Nội"],
                 facts, argue, req, ["Biên bản hội nghị nhà chung cư", "Thông báo tăng phí"],
                 spare=[w.s("Cư dân đã nhiều lần đối thoại với chủ đầu tư nhưng không có kết quả.",
                            "Nhiều hộ là người cao tuổi phải đi bộ lên tầng cao khi thang máy hỏng.")],
                 params=p)


def pollution(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A plant in the residential area spreads dust and smoke."""
    v = w.v
    p = _p({"src": v.choice(("trạm trộn bê tông", "bãi tập kết phế liệu", "lò đốt rác",
                             "xưởng tái chế nhựa", "bãi rác tự phát")),
            "owner": f"Công ty TNHH {v.choice(BRANDS)}", "dist": v.randint(15, 200),
            "since": before(w, when, 90, 700), "trucks": v.randint(20, 150),
            "meet": before(w, when, 10, 80), "sick": v.randint(4, 40)}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    facts = [[
        w.s(f"Từ tháng {p['since'].month}/{p['since'].year}, {p['owner']} đưa vào hoạt động "
            f"{p['src']} cách khu dân cư chúng tôi khoảng {p['dist']} m.",
            f"Cách nhà chúng tôi chừng {p['dist']} m, {p['src']} của {p['owner']} hoạt động từ "
            f"{long_date(p['since'])}.",
            f"{p['src'].capitalize()} do {p['owner']} quản lý, nằm sát khu dân cư ({p['dist']} m), hoạt động "
            f"từ {dmy(p['since'])}."),
        w.s(f"Mỗi ngày có khoảng {p['trucks']} lượt xe tải ra vào, gây bụi, khói và tiếng ồn cả ngày lẫn đêm.",
            f"Hằng ngày {p['trucks']} lượt xe trọng tải lớn chạy qua ngõ, làm hỏng đường và bụi mù mịt.",
            f"Khoảng {p['trucks']} chuyến xe mỗi ngày làm đường sá xuống cấp, bụi bẩn bám khắp nhà."),
    ], [
        w.s(f"Đã có {p['sick']} người trong khu dân cư phải điều trị các bệnh về hô hấp.",
            f"Theo thống kê của tổ dân phố, {p['sick']} trường hợp bị viêm đường hô hấp.",
            f"Có tới {p['sick']} người già và trẻ nhỏ bị ho, viêm phổi kéo dài."),
        w.s(f"Ngày {dmy(p['meet'])}, chúng tôi đã kiến nghị tại buổi tiếp xúc cử tri nhưng đến nay "
            "chưa được giải quyết.",
            f"Tại buổi đối thoại ngày {dmy(p['meet'])}, đại diện công ty hứa khắc phục nhưng không thực hiện.",
            f"Các hộ dân đã phản ánh với UBND {ww} ngày {dmy(p['meet'])} nhưng tình trạng vẫn tiếp diễn."),
    ]]
    argue = [w.s("Hoạt động trên vi phạm Luật Bảo vệ môi trường, ảnh hưởng sức khỏe của hàng trăm hộ dân.",
                 "Đây là nguồn ô nhiễm nghiêm trọng ngay trong khu dân cư.")]
    req = [w.s(f"Kiểm tra, quan trắc môi trường tại {p['src']} của {p['owner']}.",
               "Thành lập đoàn kiểm tra liên ngành về môi trường."),
           w.s(f"Đình chỉ hoạt động và di dời {p['src']} ra khỏi khu dân cư.",
               "Buộc chấm dứt hoạt động gây ô nhiễm.")]
    return Topic("pollution", v.choice(("KIẾN NGHỊ", "PHẢN ÁNH")), f"ô nhiễm môi trường do {p['src']}",
                 [f"UBND {ww} {who.home.ward}", f"Chủ tịch UBND {un}", "Sở Tài nguyên và Môi trường Hà Nội",
                  "Đoàn Đại biểu Quốc hội thành phố Hà Nội"],
                 facts, argue, req, ["Ảnh, video hiện trường", "Danh sách chữ ký của các hộ dân"],
                 spare=[w.s("Trường mầm non của khu dân cư nằm ngay cạnh con đường xe chạy.",
                            "Người dân đã phải đóng cửa suốt ngày vì bụi.")],
                 params=p)


def group_compensation(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """Households of one project say the support price is lower than a neighbouring project's."""
    v = w.v
    p = _p({"project": v.choice(PROJECTS), "qd": f"{v.randint(100, 9999)}/QĐ-UBND",
            "d": before(w, when, 30, 300), "price": v.randint(10, 80) * 1_000_000,
            "homes": v.randint(12, 85), "area": v.randint(2, 30) * 1000}, keep)
    p["other"] = p.get("other", p["price"] + v.randint(5, 40) * 1_000_000)
    un = unit(who.home.district)
    facts = [[
        w.s(f"Chúng tôi gồm {p['homes']} hộ có đất bị thu hồi thực hiện {p['project']} với tổng diện tích "
            f"khoảng {money(p['area'])} m².",
            f"{p['homes']} hộ gia đình chúng tôi có đất nằm trong phạm vi {p['project']} "
            f"(tổng diện tích {money(p['area'])} m²).",
            f"Để thực hiện {p['project']}, {p['homes']} hộ chúng tôi bị thu hồi tổng cộng {money(p['area'])} m² đất."),
        w.s(f"Quyết định số {p['qd']} ngày {dmy(p['d'])} của UBND {un} áp đơn giá bồi thường "
            f"{money(p['price'])} đồng/m².",
            f"Theo Quyết định số {p['qd']} ngày {dmy(p['d'])}, giá bồi thường chỉ là {money(p['price'])} đồng/m².",
            f"Đơn giá {money(p['price'])} đồng/m² được phê duyệt tại Quyết định số {p['qd']} ngày {dmy(p['d'])}."),
    ], [
        w.s(f"Trong khi dự án liền kề, cùng vị trí và thời điểm, được bồi thường {money(p['other'])} đồng/m².",
            f"Dự án bên cạnh được áp giá {money(p['other'])} đồng/m² dù cùng tuyến đường.",
            f"Các hộ ở khu vực giáp ranh được bồi thường tới {money(p['other'])} đồng/m²."),
        w.s("Nhiều hộ chưa nhận được tiền nhưng đã bị yêu cầu bàn giao mặt bằng.",
            "Việc kiểm đếm không có mặt đầy đủ các hộ, số liệu nhiều chỗ sai lệch.",
            "Chúng tôi chưa được tham gia đối thoại về phương án trước khi phê duyệt."),
    ]]
    argue = [w.s("Việc áp giá như vậy là không công bằng, thiệt thòi cho các hộ dân.",
                 "Phương án chưa đảm bảo nguyên tắc công khai, minh bạch, công bằng.")]
    req = [w.s(f"Xem xét lại đơn giá bồi thường tại Quyết định số {p['qd']}.",
               f"Điều chỉnh Quyết định số {p['qd']} cho phù hợp thực tế."),
           w.s("Tổ chức đối thoại trực tiếp với các hộ dân.",
               "Công khai phương án bồi thường để người dân được biết.")]
    return Topic("group_compensation", "KHIẾU NẠI", f"đơn giá bồi thường tại {p['project']}",
                 [f"Chủ tịch UBND {un}", "Chủ tịch UBND thành phố Hà Nội",
                  "Ban Tiếp công dân thành phố Hà Nội", "Thanh tra thành phố Hà Nội"],
                 facts, argue, req, [f"Quyết định số {p['qd']}", "Danh sách các hộ dân"],
                 spare=[w.s("Phần lớn các hộ sống bằng nghề nông, mất đất là mất sinh kế.",
                            "Chúng tôi đã chờ đợi hơn một năm mà chưa được trả lời.")],
                 params=p)


def flooding(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """The alley floods after every rain since a road was raised."""
    v = w.v
    p = _p({"road": who.home.street, "since": before(w, when, 100, 700), "cm": v.randint(30, 90),
            "hours": v.randint(3, 48), "homes": v.randint(15, 120), "rain": before(w, when, 5, 60)}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    facts = [[
        w.s(f"Từ khi {p['road']} được nâng cốt (tháng {p['since'].month}/{p['since'].year}), ngõ của "
            "chúng tôi thấp hơn mặt đường và bị ngập mỗi khi mưa.",
            f"Sau đợt cải tạo {p['road']} từ {long_date(p['since'])}, khu dân cư trở thành túi nước.",
            f"Kể từ tháng {p['since'].month}/{p['since'].year}, mỗi trận mưa là ngõ nhà chúng tôi lại ngập nặng."),
        w.s(f"Trận mưa ngày {dmy(p['rain'])} nước ngập sâu {p['cm']} cm, kéo dài {p['hours']} giờ, tràn vào {p['homes']} nhà.",
            f"Ngày {dmy(p['rain'])}, {p['homes']} hộ bị nước tràn vào nhà, chỗ sâu nhất {p['cm']} cm, "
            f"{p['hours']} giờ sau mới rút.",
            f"Mưa ngày {dmy(p['rain'])} khiến {p['homes']} nhà ngập {p['cm']} cm trong {p['hours']} giờ."),
    ], [
        w.s("Cống thoát nước bị lấp, không được nạo vét.",
            "Hệ thống cống cũ đã xuống cấp, miệng cống bị bịt khi làm đường.",
            "Đơn vị thi công không làm lại cống thoát nước cho ngõ."),
    ]]
    argue = [w.s("Tình trạng này gây thiệt hại tài sản và mất vệ sinh môi trường.",
                 "Sự việc ảnh hưởng trực tiếp đến đời sống của hàng trăm nhân khẩu.")]
    req = [w.s("Khảo sát và cải tạo hệ thống thoát nước của ngõ.",
               "Nạo vét, xây mới cống thoát nước cho khu dân cư."),
           w.s("Nâng cốt nền ngõ cho bằng mặt đường.", "Bố trí kinh phí chống ngập ngay trong năm nay.")]
    return Topic("flooding", v.choice(("KIẾN NGHỊ", "ĐỀ NGHỊ")), f"ngập úng khu dân cư sau khi cải tạo {p['road']}",
                 [f"UBND {ww} {who.home.ward}", f"Chủ tịch UBND {un}", "Sở Xây dựng Hà Nội"],
                 facts, argue, req, ["Ảnh chụp ngập úng"],
                 spare=[w.s("Nhiều gia đình phải kê cao đồ đạc, trẻ em không thể đến trường.",
                            "Nước ngập bốc mùi hôi thối nhiều ngày.")],
                 params=p)
