"""Matters of daily life: noise, social insurance, officials, licences, schools, hospitals."""
from __future__ import annotations

import datetime as dt

from .letter import Topic, Writer
from .people import Person, new_person
from .topics_land import _p, before
from .vocab import dmy, long_date, money, money_words, unit, ward_word

VENUES = ("quán karaoke {n}", "nhà hàng bia hơi {n}", "xưởng cơ khí của ông {p}",
          "cơ sở sản xuất bánh kẹo {n}", "quán bar {n}", "xưởng mộc của ông {p}",
          "cơ sở rửa xe {n}", "điểm tập kết vật liệu xây dựng của ông {p}")
BRANDS = ("Hoàng Gia", "Ánh Dương", "Sao Mai", "Phương Nam", "Thiên Phú", "Hải Đăng",
          "Minh Long", "Kim Cương", "Bình Minh", "Tùng Lâm", "Hồng Phát", "Việt Thắng")
COMPANIES = ("Công ty TNHH May mặc {b}", "Công ty Cổ phần Xây dựng {b}",
             "Công ty TNHH Thương mại và Dịch vụ {b}", "Công ty Cổ phần Thực phẩm {b}",
             "Công ty TNHH Điện tử {b}", "Công ty Cổ phần Vận tải {b}")
HOSPITALS = ("Bệnh viện Đa khoa Đống Đa", "Bệnh viện Đa khoa Hà Đông", "Bệnh viện Thanh Nhàn",
             "Bệnh viện Đức Giang", "Bệnh viện Đa khoa Xanh Pôn", "Bệnh viện Đa khoa Đông Anh",
             "Bệnh viện Bắc Thăng Long", "Bệnh viện Đa khoa huyện Gia Lâm")
SCHOOLS = ("Trường Tiểu học {w}", "Trường THCS {w}", "Trường Mầm non {w}", "Trường Tiểu học {w} A")


def noise(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A venue next door is loud late at night."""
    v = w.v
    p = _p({"venue": v.choice(VENUES).format(n=v.choice(BRANDS), p=new_person(v, "-").name),
            "no": v.randint(1, 300), "since": before(w, when, 60, 500), "hour": v.randint(23, 25),
            "calls": [before(w, when, 3, 60) for _ in range(v.randint(2, 3))],
            "db": v.randint(72, 96)}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    hour = f"{p['hour'] % 24} giờ" + (" sáng" if p["hour"] >= 24 else " đêm")
    calls = ", ".join(dmy(d) for d in sorted(p["calls"]))
    facts = [[
        w.s(f"Từ tháng {p['since'].month}/{p['since'].year} đến nay, {p['venue']} tại số {p['no']} "
            f"{who.home.street} hoạt động gây tiếng ồn rất lớn, kéo dài đến {hour}.",
            f"Kể từ {long_date(p['since'])}, {p['venue']} (số {p['no']} {who.home.street}) thường xuyên "
            f"hoạt động ồn ào tới {hour}.",
            f"Đã hơn một năm nay, {p['venue']} ở số {p['no']} {who.home.street} gây ồn ào liên tục, có "
            f"hôm tới {hour} vẫn chưa dừng."),
        w.s(f"Gia đình tôi đã tự đo được độ ồn khoảng {p['db']} dB vào ban đêm.",
            f"Độ ồn đo bằng máy cầm tay lên tới {p['db']} dB, vượt xa quy chuẩn cho phép.",
            f"Tiếng ồn có lúc lên đến {p['db']} dB, cửa kính nhà tôi rung lên."),
    ], [
        w.s(f"Tôi đã gọi điện báo Công an {ww} {who.home.ward} vào các ngày {calls} nhưng sau khi "
            "lực lượng chức năng về thì cơ sở lại tiếp tục hoạt động.",
            f"Các ngày {calls} tôi đều đã phản ánh tới Công an {ww}, cơ sở chỉ tạm dừng được một lúc.",
            f"Gia đình tôi đã báo chính quyền {ww} nhiều lần (các ngày {calls}) nhưng tình trạng "
            "không được cải thiện."),
        w.s("Bố mẹ tôi tuổi cao thường xuyên mất ngủ, các cháu nhỏ không thể học bài.",
            "Tiếng ồn làm cả khu dân cư mất ngủ, ảnh hưởng nghiêm trọng đến sức khỏe.",
            "Nhiều hộ dân trong ngõ phải đi khám vì suy nhược do mất ngủ kéo dài."),
    ]]
    argue = [w.s("Việc gây tiếng ồn vượt quy chuẩn trong khu dân cư vào ban đêm là vi phạm quy "
                 "định về bảo vệ môi trường và trật tự công cộng.",
                 "Hoạt động của cơ sở đã vi phạm quy định về giờ giấc và tiếng ồn trong khu dân cư.")]
    req = [w.s("Kiểm tra, đo tiếng ồn và xử lý nghiêm cơ sở vi phạm.",
               "Cử đoàn liên ngành kiểm tra hoạt động của cơ sở trên."),
           w.s("Buộc cơ sở chấm dứt hoạt động gây ồn sau 22 giờ.",
               "Yêu cầu cơ sở lắp đặt cách âm, không hoạt động sau 22 giờ.")]
    return Topic("noise", v.choice(("PHẢN ÁNH", "KIẾN NGHỊ", "ĐỀ NGHỊ")),
                 "tiếng ồn kéo dài trong khu dân cư về ban đêm",
                 [f"UBND {ww} {who.home.ward}", f"Công an {ww} {who.home.ward}",
                  f"Chủ tịch UBND {un}", f"Phòng Tài nguyên và Môi trường {un}"],
                 facts, argue, req, ["Video, ghi âm tiếng ồn (USB)", "Chữ ký của các hộ lân cận"],
                 spare=[w.s("Tôi đã nhiều lần sang gặp chủ cơ sở để nói chuyện nhưng không được tiếp.",
                            "Trước đây cơ sở đã cam kết không hoạt động sau 22 giờ nhưng không thực hiện.")],
                 params=p)


def bhxh(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """The employer deducted social insurance from wages but never paid it."""
    v = w.v
    start = before(w, when, 900, 3000)
    p = _p({"co": v.choice(COMPANIES).format(b=v.choice(BRANDS)), "start": start,
            "end": before(w, when, 60, 300), "months": v.randint(6, 30), "book": v.digits(10),
            "wage": v.randint(50, 180) * 100_000, "job": v.choice(("công nhân may", "lái xe",
                                                                     "nhân viên kho", "kế toán",
                                                                     "thợ hàn", "bảo vệ"))}, keep)
    p["owed"] = p.get("owed", p["months"] * p["wage"] * 32 // 100 // 1000 * 1000)
    facts = [[
        w.s(f"Tôi làm việc tại {p['co']} từ ngày {dmy(p['start'])} đến ngày {dmy(p['end'])}, vị trí "
            f"{p['job']}, mức lương đóng bảo hiểm {money(p['wage'])} đồng/tháng.",
            f"Từ {dmy(p['start'])} đến {dmy(p['end'])} tôi là {p['job']} của {p['co']}, lương tháng "
            f"{money(p['wage'])} đồng.",
            f"Tôi là người lao động của {p['co']} (làm {p['job']}) trong thời gian từ "
            f"{dmy(p['start'])} tới {dmy(p['end'])}."),
        w.s(f"Sổ bảo hiểm xã hội của tôi mang số {p['book']}.",
            f"Mã số BHXH của tôi là {p['book']}.", f"Tôi có sổ BHXH số {p['book']}."),
    ], [
        w.s(f"Công ty hằng tháng vẫn trừ tiền bảo hiểm vào lương nhưng không đóng cho cơ quan "
            f"BHXH trong {p['months']} tháng.",
            f"Trong {p['months']} tháng cuối, công ty khấu trừ tiền BHXH của người lao động nhưng "
            "không nộp.",
            f"Tra cứu quá trình đóng thì {p['months']} tháng gần nhất công ty chưa đóng bảo hiểm cho tôi."),
        w.s(f"Số tiền công ty còn nợ khoảng {money(p['owed'])} đồng ({money_words(p['owed'])}).",
            f"Tổng số tiền BHXH còn nợ là {money(p['owed'])} đồng.",
            f"Theo tính toán của tôi, công ty nợ {money(p['owed'])} đồng tiền bảo hiểm."),
        w.s("Vì vậy tôi không thể chốt sổ để làm thủ tục hưởng trợ cấp thất nghiệp.",
            "Do đó tôi không được giải quyết chế độ thất nghiệp và chế độ ốm đau.",
            "Đến nay công ty không chốt sổ, tôi không thể làm việc ở nơi mới."),
    ]]
    argue = [w.s("Hành vi trốn đóng bảo hiểm xã hội là vi phạm Luật Bảo hiểm xã hội, xâm phạm "
                 "quyền lợi của người lao động.",
                 "Công ty đã vi phạm nghĩa vụ đóng BHXH bắt buộc theo quy định.")]
    req = [w.s(f"Thanh tra, kiểm tra việc đóng BHXH tại {p['co']}.",
               f"Yêu cầu {p['co']} đóng đủ số tiền BHXH còn nợ."),
           w.s(f"Chốt sổ BHXH số {p['book']} để tôi hưởng các chế độ theo quy định.",
               "Giải quyết chế độ bảo hiểm thất nghiệp cho tôi.")]
    return Topic("bhxh", v.choice(("ĐỀ NGHỊ", "KHIẾU NẠI", "PHẢN ÁNH")),
                 "công ty không đóng bảo hiểm xã hội cho người lao động",
                 ["Bảo hiểm xã hội thành phố Hà Nội", "Sở Lao động - Thương binh và Xã hội Hà Nội",
                  f"Bảo hiểm xã hội {unit(who.home.district)}", "Liên đoàn Lao động thành phố Hà Nội"],
                 facts, argue, req, ["Hợp đồng lao động (bản sao)", "Bảng lương các tháng"],
                 spare=[w.s("Nhiều công nhân khác trong công ty cũng ở tình trạng tương tự.",
                            "Tôi đang nuôi hai con nhỏ nên rất cần khoản trợ cấp này.")],
                 params=p)


def official(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A ward official asks for money to move a file along."""
    v = w.v
    off = new_person(v, "-")
    p = _p({"off": off.name, "offm": off.male, "pos": v.choice(("cán bộ địa chính", "cán bộ tư pháp - hộ tịch",
                                                  "Phó Chủ tịch UBND", "cán bộ xây dựng")),
            "file": v.choice(("hồ sơ đăng ký biến động đất đai", "hồ sơ xin cấp phép sửa chữa nhà",
                              "hồ sơ chứng thực hợp đồng tặng cho", "hồ sơ tách thửa")),
            "sub": before(w, when, 40, 200), "meet": before(w, when, 10, 39),
            "ask": v.randint(5, 60) * 1_000_000}, keep)
    ww = ward_word(who.home.district)
    ong = "ông" if p["offm"] else "bà"
    facts = [[
        w.s(f"Ngày {dmy(p['sub'])}, tôi nộp {p['file']} tại UBND {ww} {who.home.ward}.",
            f"Tôi đã nộp {p['file']} tại bộ phận một cửa UBND {ww} {who.home.ward} từ ngày {dmy(p['sub'])}.",
            f"Từ ngày {dmy(p['sub'])}, {p['file']} của gia đình tôi đã được nộp tại {ww}."),
        w.s(f"Hồ sơ do {ong} {p['off']}, {p['pos']} {ww}, trực tiếp thụ lý.",
            f"Người được giao giải quyết là {ong} {p['off']} ({p['pos']}).",
            f"{ong.capitalize()} {p['off']} - {p['pos']} - là người phụ trách hồ sơ này."),
    ], [
        w.s(f"Ngày {dmy(p['meet'])}, {ong} {p['off']} hẹn tôi ra quán cà phê và đặt vấn đề phải "
            f"\"bồi dưỡng\" {money(p['ask'])} đồng thì hồ sơ mới được ký.",
            f"Đến ngày {dmy(p['meet'])}, {ong} {p['off']} gợi ý tôi nộp {money(p['ask'])} đồng "
            "\"chi phí\" ngoài quy định để đẩy nhanh hồ sơ.",
            f"Hôm {dmy(p['meet'])} {ong} {p['off']} nói thẳng nếu không có {money(p['ask'])} đồng thì "
            "hồ sơ sẽ còn phải chờ lâu."),
        w.s("Khi tôi từ chối, hồ sơ liên tục bị trả lại với lý do thiếu giấy tờ.",
            "Do tôi không đồng ý, hồ sơ của tôi bị gây khó khăn, yêu cầu bổ sung nhiều lần.",
            "Sau khi tôi không đưa tiền, cán bộ này không tiếp tôi nữa."),
    ]]
    argue = [w.s("Hành vi trên có dấu hiệu nhũng nhiễu, gây phiền hà cho người dân, vi phạm "
                 "những điều cán bộ, công chức không được làm.",
                 "Việc làm của cán bộ nói trên làm mất niềm tin của nhân dân vào chính quyền.")]
    req = [w.s(f"Xác minh, làm rõ hành vi của {ong} {p['off']}.",
               f"Kiểm tra, xử lý nghiêm {ong} {p['off']} theo quy định."),
           w.s(f"Giải quyết {p['file']} của tôi đúng quy định.",
               "Chỉ đạo giải quyết hồ sơ của gia đình tôi đúng thời hạn."),
           w.s("Giữ bí mật thông tin về người tố cáo.",
               "Bảo vệ người tố cáo theo quy định của Luật Tố cáo.")]
    un = unit(who.home.district)
    return Topic("official", "TỐ CÁO", f"tố cáo hành vi nhũng nhiễu của cán bộ {ww} {who.home.ward}",
                 [f"Chủ tịch UBND {un}", f"Thanh tra {un}", "Thanh tra thành phố Hà Nội",
                  "Ban Nội chính Thành ủy Hà Nội"],
                 facts, argue, req, ["Ghi âm cuộc nói chuyện (USB)", "Giấy biên nhận hồ sơ"],
                 spare=[w.s("Một số hộ dân khác trong phường cũng phản ánh việc tương tự.",
                            "Tôi sẵn sàng đối chất khi cơ quan chức năng yêu cầu.")],
                 params=p)


def penalty(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A fine for using the pavement for a shop is disputed."""
    v = w.v
    p = _p({"qd": f"{v.randint(10, 9999)}/QĐ-XPHC", "d": before(w, when, 8, 80),
            "fine": v.randint(2, 40) * 500_000, "shop": v.choice(("quán phở", "cửa hàng tạp hóa",
                                                                  "tiệm cắt tóc", "cửa hàng sửa xe máy",
                                                                  "quán cơm bình dân")),
            "m2": f"{v.randint(2, 12)},{v.randint(0, 9)}", "reg": f"01{v.choice('ABCDEFGHK')}{v.digits(7)}"}, keep)
    ww, un = ward_word(who.home.district), unit(who.home.district)
    facts = [[
        w.s(f"Gia đình tôi kinh doanh {p['shop']} tại {who.home.full(0)}, có Giấy chứng nhận đăng ký "
            f"hộ kinh doanh số {p['reg']}.",
            f"Tôi là chủ hộ kinh doanh {p['shop']} (mã số {p['reg']}) tại địa chỉ {who.home.full(1)}.",
            f"Hộ kinh doanh {p['shop']} của tôi, số đăng ký {p['reg']}, hoạt động ổn định nhiều năm."),
        w.s(f"Ngày {dmy(p['d'])}, Chủ tịch UBND {ww} {who.home.ward} ban hành Quyết định xử phạt vi "
            f"phạm hành chính số {p['qd']}, phạt tôi {money(p['fine'])} đồng về hành vi sử dụng "
            f"{p['m2']} m² vỉa hè để kinh doanh.",
            f"Theo Quyết định xử phạt số {p['qd']} ngày {dmy(p['d'])}, tôi bị phạt {money(p['fine'])} "
            f"đồng với lý do lấn chiếm {p['m2']} m² hè phố.",
            f"Tôi nhận được Quyết định số {p['qd']} ngày {dmy(p['d'])} xử phạt {money(p['fine'])} đồng "
            f"vì cho rằng tôi chiếm dụng {p['m2']} m² vỉa hè."),
    ], [
        w.s("Thực tế hôm đó tôi chỉ để tạm hàng hóa trong lúc nhận hàng, không bày bán trên vỉa hè.",
            "Biên bản vi phạm được lập khi tôi vắng mặt và không có người làm chứng.",
            "Diện tích ghi trong biên bản không đúng, phần hè đó thuộc lối đi vào nhà tôi."),
        w.s("Mức phạt nêu trên không đúng với hành vi và vượt khung quy định.",
            "Số tiền phạt quá cao so với tính chất sự việc.",
            "Các hộ xung quanh cũng bày hàng nhưng chỉ nhà tôi bị xử phạt."),
    ]]
    argue = [w.s(f"Quyết định số {p['qd']} được ban hành chưa khách quan, chưa đúng quy định.",
                 "Việc xử phạt không đúng trình tự, thủ tục theo Luật Xử lý vi phạm hành chính.")]
    req = [w.s(f"Xem xét lại và hủy Quyết định xử phạt số {p['qd']}.",
               f"Thu hồi Quyết định số {p['qd']} ngày {dmy(p['d'])}."),
           w.s("Tạm đình chỉ thi hành quyết định trong thời gian giải quyết khiếu nại.",
               "Trả lời bằng văn bản cho tôi theo quy định.")]
    return Topic("penalty", "KHIẾU NẠI", f"khiếu nại Quyết định xử phạt vi phạm hành chính số {p['qd']}",
                 [f"Chủ tịch UBND {ww} {who.home.ward}", f"Chủ tịch UBND {un}", f"Thanh tra {un}"],
                 facts, argue, req, [f"Bản sao Quyết định số {p['qd']}", "Biên bản vi phạm hành chính"],
                 spare=[w.s("Thu nhập của gia đình tôi chỉ trông vào cửa hàng nhỏ này.",
                            "Tôi luôn chấp hành các quy định về trật tự đô thị.")],
                 params=p)
