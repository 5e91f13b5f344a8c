"""Matters of schools, hospitals, neighbours and welfare."""
from __future__ import annotations

import datetime as dt

from .letter import Topic, Writer
from .people import Person, new_person
from .topics_land import _p, before
from .topics_life import HOSPITALS, SCHOOLS
from .vocab import dmy, long_date, money, money_words, unit, ward_word


def school(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A school collects fees beyond what is allowed."""
    v = w.v
    child = new_person(v, "-", male=v.chance(0.5), born_before=2019)
    # a child bears the father's surname
    cname = " ".join([who.name.split()[0]] + child.name.split()[1:]) if who.male else child.name
    p = _p({"school": v.choice(SCHOOLS).format(w=who.home.ward), "child": cname,
            "cls": f"{v.randint(1, 9)}A{v.randint(1, 8)}", "meet": before(w, when, 10, 90),
            "fees": [(n, v.randint(2, 40) * 50_000) for n in v.sample(
                ("quỹ lớp", "tiền điều hòa", "tiền xã hội hóa mua máy chiếu", "tiền học kỹ năng sống",
                 "tiền vệ sinh", "quỹ hội cha mẹ học sinh", "tiền photo đề cương"), v.randint(2, 4))]},
           keep)
    total = sum(a for _, a in p["fees"])
    items = "; ".join(f"{n}: {money(a)} đồng" for n, a in p["fees"])
    un = unit(who.home.district)
    facts = [[
        w.s(f"Con tôi là cháu {p['child']}, học sinh lớp {p['cls']}, {p['school']}, {un}.",
            f"Tôi là phụ huynh của em {p['child']} đang học lớp {p['cls']} tại {p['school']}.",
            f"Cháu {p['child']} (con tôi) hiện là học sinh lớp {p['cls']} {p['school']}."),
        w.s(f"Tại buổi họp phụ huynh ngày {dmy(p['meet'])}, nhà trường và ban đại diện cha mẹ học "
            f"sinh thông báo các khoản thu gồm: {items}.",
            f"Ngày {dmy(p['meet'])}, lớp {p['cls']} thông báo thu các khoản: {items}.",
            f"Trong cuộc họp ngày {dmy(p['meet'])}, phụ huynh được yêu cầu nộp: {items}."),
    ], [
        w.s(f"Tổng cộng mỗi học sinh phải nộp {money(total)} đồng ngoài học phí.",
            f"Tổng số tiền là {money(total)} đồng ({money_words(total)}) cho một học sinh.",
            f"Cộng lại mỗi em phải đóng {money(total)} đồng."),
        w.s("Các khoản thu này không được bàn bạc dân chủ, phụ huynh không đồng ý cũng phải nộp.",
            "Nhiều phụ huynh không đồng tình nhưng sợ con bị phân biệt đối xử nên phải nộp.",
            "Giáo viên chủ nhiệm nhắc nhở các cháu chưa nộp tiền trước lớp."),
    ]]
    argue = [w.s("Việc thu các khoản trên là lạm thu, trái với hướng dẫn của Sở Giáo dục và Đào tạo.",
                 "Các khoản thu nêu trên không có trong danh mục được phép thu theo quy định.")]
    req = [w.s(f"Kiểm tra các khoản thu tại {p['school']}.",
               "Thanh tra việc thu, chi đầu năm học của nhà trường."),
           w.s("Hoàn trả các khoản thu sai quy định cho phụ huynh.",
               "Chấm dứt việc thu các khoản không đúng quy định.")]
    return Topic("school", v.choice(("PHẢN ÁNH", "KIẾN NGHỊ")), f"các khoản thu ngoài quy định tại {p['school']}",
                 [f"Phòng Giáo dục và Đào tạo {un}", f"Chủ tịch UBND {un}",
                  "Sở Giáo dục và Đào tạo Hà Nội"],
                 facts, argue, req, ["Thông báo các khoản thu (bản chụp)"],
                 spare=[w.s("Tôi đề nghị giữ kín thông tin để con tôi không bị ảnh hưởng.",
                            "Hoàn cảnh gia đình tôi khó khăn, không kham nổi các khoản này.")],
                 params=p)


def hospital(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A relative was treated badly and charged outside health insurance."""
    v = w.v
    rel = new_person(v, "-", born_before=1965)
    p = _p({"hosp": v.choice(HOSPITALS), "rel": rel.name, "relm": rel.male,
            "in": before(w, when, 20, 120), "days": v.randint(3, 20),
            "card": f"{v.choice(('HT', 'GD', 'HN', 'CN', 'DN'))}{v.randint(2, 4)}01{v.digits(10)}",
            "paid": v.randint(3, 90) * 500_000, "dept": v.choice(("Khoa Nội tổng hợp", "Khoa Ngoại",
                                                                   "Khoa Cấp cứu", "Khoa Tim mạch",
                                                                   "Khoa Chấn thương chỉnh hình"))},
           keep)
    rel_t = "bố tôi là ông" if p["relm"] else "mẹ tôi là bà"
    facts = [[
        w.s(f"Ngày {dmy(p['in'])}, {rel_t} {p['rel']} nhập viện điều trị tại {p['dept']}, {p['hosp']}.",
            f"{rel_t.capitalize()} {p['rel']} được đưa vào {p['hosp']} ngày {dmy(p['in'])} và nằm "
            f"điều trị tại {p['dept']}.",
            f"Từ ngày {dmy(p['in'])}, {rel_t} {p['rel']} điều trị nội trú {p['days']} ngày tại "
            f"{p['dept']} {p['hosp']}."),
        w.s(f"Thẻ bảo hiểm y tế số {p['card']} còn hạn sử dụng.",
            f"Người bệnh có thẻ BHYT số {p['card']}, đăng ký đúng tuyến.",
            f"Khi nhập viện gia đình đã xuất trình thẻ BHYT mã số {p['card']}."),
    ], [
        w.s(f"Trong {p['days']} ngày điều trị, gia đình phải tự mua thuốc và vật tư với số tiền "
            f"{money(p['paid'])} đồng, không được thanh toán bảo hiểm.",
            f"Khi ra viện, gia đình phải thanh toán {money(p['paid'])} đồng ngoài phần BHYT chi trả "
            "mà không được giải thích rõ.",
            f"Bệnh viện yêu cầu gia đình nộp thêm {money(p['paid'])} đồng tiền thuốc ngoài danh mục."),
        w.s("Thái độ của một số nhân viên y tế thiếu tôn trọng, quát mắng người nhà bệnh nhân.",
            "Đêm bệnh nhân trở nặng, gia đình gọi nhiều lần nhưng không có bác sĩ đến kịp thời.",
            "Nhân viên không hướng dẫn thủ tục, để người bệnh chờ đợi nhiều giờ."),
    ]]
    argue = [w.s("Việc làm trên ảnh hưởng đến quyền lợi của người tham gia bảo hiểm y tế.",
                 "Đây là biểu hiện thiếu trách nhiệm, vi phạm quy tắc ứng xử của ngành y tế.")]
    req = [w.s(f"Kiểm tra việc thanh toán chi phí điều trị tại {p['hosp']}.",
               "Làm rõ các khoản tiền gia đình đã phải chi ngoài bảo hiểm."),
           w.s(f"Hoàn trả {money(p['paid'])} đồng nếu thu sai quy định.",
               "Xử lý nhân viên có thái độ không đúng mực.")]
    return Topic("hospital", v.choice(("PHẢN ÁNH", "KHIẾU NẠI", "KIẾN NGHỊ")),
                 f"chất lượng khám chữa bệnh và chi phí điều trị tại {p['hosp']}",
                 ["Sở Y tế Hà Nội", f"Giám đốc {p['hosp']}", "Bảo hiểm xã hội thành phố Hà Nội"],
                 facts, argue, req, ["Giấy ra viện", "Hóa đơn, phiếu thu"],
                 spare=[w.s("Người bệnh đã ngoài 75 tuổi và là người có công với cách mạng.",
                            "Gia đình tôi thuộc diện hộ cận nghèo của phường.")],
                 params=p)


def neighbour(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A neighbour blocks the shared alley and drains waste water onto the family's land."""
    v = w.v
    nb = new_person(v, "-")
    p = _p({"nb": nb.name, "nbm": nb.male, "d1": before(w, when, 30, 300), "d2": before(w, when, 5, 29),
            "wid": f"{v.randint(8, 30) / 10:.1f}".replace(".", ","), "what": v.randint(0, 2)}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    ong = "ông" if p["nbm"] else "bà"
    what = ("xây bậc tam cấp và đặt bồn hoa chiếm lối đi chung", "lắp cửa sắt khóa lối đi chung",
            "đổ vật liệu xây dựng chắn ngang lối đi chung")[p["what"]]
    facts = [[
        w.s(f"Gia đình tôi và gia đình {ong} {p['nb']} cùng sử dụng lối đi chung rộng {p['wid']} m "
            "từ nhiều năm nay.",
            f"Lối đi chung rộng {p['wid']} m là lối ra vào duy nhất của nhà tôi và nhà {ong} {p['nb']}.",
            f"Nhà tôi ở phía trong, đi chung ngõ rộng {p['wid']} m với hộ {ong} {p['nb']}."),
        w.s(f"Ngày {dmy(p['d1'])}, {ong} {p['nb']} tự ý {what}.",
            f"Khoảng {long_date(p['d1'])}, gia đình {ong} {p['nb']} đã {what}.",
            f"Từ {dmy(p['d1'])}, {ong} {p['nb']} {what}, gia đình tôi không thể đưa xe máy vào nhà."),
        w.s(f"Ngoài ra, nước thải sinh hoạt từ nhà {ong} {p['nb']} được xả thẳng sang tường nhà tôi, "
            "gây ẩm mốc và mùi hôi.",
            f"Nhà {ong} {p['nb']} còn đặt ống xả nước thải chảy sang phần đất nhà tôi.",
            "Bên cạnh đó, nước thải từ nhà bên chảy tràn sang gây ô nhiễm."),
    ], [
        w.s(f"Ngày {dmy(p['d2'])}, tổ dân phố đã đến hòa giải nhưng {ong} {p['nb']} không chấp hành.",
            f"Tổ hòa giải đã làm việc với hai gia đình ngày {dmy(p['d2'])} nhưng không có kết quả.",
            f"Sau buổi hòa giải ngày {dmy(p['d2'])}, sự việc vẫn không được khắc phục."),
    ]]
    argue = [w.s("Việc làm trên ảnh hưởng nghiêm trọng đến sinh hoạt của gia đình tôi.",
                 "Hành vi chiếm dụng lối đi chung là trái quy định và gây mất đoàn kết khu dân cư.")]
    req = [w.s(f"Buộc {ong} {p['nb']} trả lại hiện trạng lối đi chung.",
               "Yêu cầu tháo dỡ các vật cản trên lối đi chung."),
           w.s("Yêu cầu chấm dứt việc xả nước thải sang nhà tôi.",
               "Buộc hộ liền kề làm đường thoát nước thải riêng.")]
    return Topic("neighbour", v.choice(("ĐỀ NGHỊ", "PHẢN ÁNH", "TRÌNH BÀY")), "tranh chấp lối đi chung và xả nước thải",
                 [f"UBND {ww} {who.home.ward}", f"Chủ tịch UBND {ww} {who.home.ward}",
                  f"Công an {ww} {who.home.ward}", f"Chủ tịch UBND {un}"],
                 facts, argue, req, ["Ảnh chụp hiện trạng lối đi"],
                 spare=[w.s("Hai gia đình vốn có quan hệ họ hàng nên tôi mong được hòa giải êm đẹp.",
                            "Tôi đã chờ đợi nhiều tháng với mong muốn hai bên tự thỏa thuận.")],
                 params=p)


def welfare(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A request for a disability or old-age allowance was refused."""
    v = w.v
    p = _p({"tb": f"{v.randint(10, 999)}/TB-UBND", "d": before(w, when, 15, 120),
            "sub": before(w, when, 121, 300), "kind": v.choice(("trợ cấp xã hội hằng tháng cho người khuyết tật",
                                                                  "trợ cấp cho người cao tuổi cô đơn",
                                                                  "công nhận hộ cận nghèo",
                                                                  "chế độ người có công với cách mạng")),
            "income": v.randint(8, 30) * 100_000}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    facts = [[
        w.s(f"Ngày {dmy(p['sub'])}, tôi đã nộp hồ sơ đề nghị hưởng {p['kind']} tại UBND {ww} {who.home.ward}.",
            f"Tôi nộp hồ sơ xin hưởng {p['kind']} từ ngày {dmy(p['sub'])}.",
            f"Từ {dmy(p['sub'])}, gia đình tôi đã làm hồ sơ đề nghị {p['kind']}."),
        w.s(f"Thu nhập bình quân của gia đình tôi chỉ khoảng {money(p['income'])} đồng/người/tháng.",
            f"Gia đình tôi có thu nhập chưa đến {money(p['income'])} đồng mỗi người một tháng.",
            f"Mức thu nhập của hộ tôi là {money(p['income'])} đồng/người/tháng."),
    ], [
        w.s(f"Ngày {dmy(p['d'])}, UBND {ww} ban hành Thông báo số {p['tb']} trả lời gia đình tôi "
            "không đủ điều kiện mà không nêu rõ lý do.",
            f"Theo Thông báo số {p['tb']} ngày {dmy(p['d'])}, hồ sơ của tôi không được xét duyệt.",
            f"Thông báo số {p['tb']} ngày {dmy(p['d'])} của UBND {ww} cho rằng gia đình tôi không "
            "thuộc đối tượng."),
    ]]
    argue = [w.s("Gia đình tôi hoàn toàn đủ điều kiện theo quy định của Nhà nước.",
                 "Việc không xét duyệt là chưa đúng với hoàn cảnh thực tế của gia đình tôi.")]
    req = [w.s(f"Xem xét lại Thông báo số {p['tb']}.", f"Kiểm tra lại việc xét duyệt hồ sơ {p['kind']}."),
           w.s(f"Giải quyết cho tôi được hưởng {p['kind']}.", "Trả lời rõ lý do bằng văn bản.")]
    return Topic("welfare", v.choice(("ĐỀ NGHỊ", "KIẾN NGHỊ", "KHIẾU NẠI")), f"xét hưởng {p['kind']}",
                 [f"UBND {ww} {who.home.ward}", f"Phòng Lao động - Thương binh và Xã hội {un}",
                  f"Chủ tịch UBND {un}", "Sở Lao động - Thương binh và Xã hội Hà Nội"],
                 facts, argue, req, [f"Thông báo số {p['tb']}", "Giấy xác nhận khuyết tật / hoàn cảnh gia đình"],
                 spare=[w.s("Tôi sống một mình, không có con cái nương tựa.",
                            "Chồng tôi mất sớm, tôi một mình nuôi mẹ già và hai con nhỏ.")],
                 params=p)
