"""Matters about land and building: boundaries, site clearance, construction, land certificates."""
from __future__ import annotations

import datetime as dt

from .letter import Topic, Writer
from .people import Person, new_person
from .vocab import dmy, long_date, money, money_words, unit, ward_word

PROJECTS = ("Dự án cải tạo, mở rộng đường Tam Trinh", "Dự án xây dựng đường Vành đai 2,5",
            "Dự án xây dựng tuyến đường 40 m nối khu đô thị", "Dự án xây dựng Trường THCS",
            "Dự án khu tái định cư và nhà ở xã hội", "Dự án mở rộng đường Âu Cơ",
            "Dự án xây dựng hồ điều hòa và công viên", "Dự án cải tạo mương thoát nước",
            "Dự án đường Vành đai 4 - Vùng Thủ đô", "Dự án khu đô thị mới phía Nam")


def before(w: Writer, when: dt.date, lo: int, hi: int) -> dt.date:
    """A day between ``hi`` and ``lo`` days before ``when``."""
    return when - dt.timedelta(days=w.v.randint(lo, hi))


def gcn(w: Writer) -> str:
    """A land-use certificate's series and number."""
    return f"{w.v.choice(('BX', 'CĐ', 'CH', 'BP', 'AN', 'DE'))} {w.v.digits(6)}"


def _p(d: dict, keep: dict | None) -> dict:
    d.update(keep or {})
    return d


def land_boundary(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A neighbour built over the boundary of the family's parcel."""
    v = w.v
    p = _p({"parcel": v.randint(12, 980), "sheet": v.randint(1, 48), "area": v.randint(42, 260),
            "gcn": gcn(w), "gcn_date": dmy(before(w, when, 900, 9000)),
            "nb": new_person(v, "-").name, "wid": f"{v.randint(3, 14) / 10:.1f}".replace(".", ","),
            "len": v.randint(6, 25), "d1": before(w, when, 40, 300), "d2": before(w, when, 10, 35),
            "addr": who.home.full(1)}, keep)
    p["nparcel"] = p.get("nparcel", p["parcel"] + v.choice((-2, -1, 1, 2)))
    ww, un = ward_word(who.home.district), unit(who.home.district)
    facts = [[
        w.s(f"Gia đình tôi đang quản lý, sử dụng thửa đất số {p['parcel']}, tờ bản đồ số {p['sheet']}, "
            f"diện tích {p['area']} m² tại {p['addr']}, đã được UBND {un} cấp Giấy chứng nhận quyền "
            f"sử dụng đất số {p['gcn']} ngày {p['gcn_date']}.",
            f"Thửa đất số {p['parcel']}, tờ bản đồ số {p['sheet']} (diện tích {p['area']} m²) tại "
            f"{p['addr']} là đất hợp pháp của gia đình tôi, có Giấy chứng nhận QSDĐ số {p['gcn']} "
            f"do UBND {un} cấp ngày {p['gcn_date']}.",
            f"Gia đình tôi là chủ sử dụng hợp pháp thửa đất số {p['parcel']}, tờ bản đồ số "
            f"{p['sheet']}, diện tích {p['area']} m² (Giấy chứng nhận số {p['gcn']}, cấp ngày "
            f"{p['gcn_date']}), địa chỉ {p['addr']}."),
        w.s("Ranh giới giữa thửa đất của gia đình tôi và các thửa liền kề đã được xác định rõ "
            "bằng tường rào xây từ nhiều năm nay, không có tranh chấp.",
            "Từ khi sử dụng đến nay, ranh giới thửa đất luôn ổn định, được các hộ liền kề thừa nhận.",
            "Mốc giới thửa đất đã được cán bộ địa chính xác định khi cấp Giấy chứng nhận."),
    ], [
        w.s(f"Ngày {dmy(p['d1'])}, gia đình ông {p['nb']} (chủ thửa đất số {p['nparcel']} liền kề) "
            f"tự ý phá dỡ tường rào và xây dựng lấn sang phần đất của gia đình tôi khoảng "
            f"{p['wid']} m chiều rộng, kéo dài {p['len']} m.",
            f"Khoảng {long_date(p['d1'])}, ông {p['nb']} là chủ thửa đất số {p['nparcel']} bên cạnh đã "
            f"cho thợ phá tường rào chung, xây lấn sang đất nhà tôi {p['wid']} m, dài {p['len']} m.",
            f"Đến ngày {dmy(p['d1'])}, hộ ông {p['nb']} (thửa đất số {p['nparcel']}) đã xây tường "
            f"và đổ móng lấn chiếm {p['wid']} m x {p['len']} m đất của gia đình tôi."),
        w.s(f"Tôi đã nhiều lần gặp gia đình ông {p['nb']} để trao đổi nhưng ông không chấp nhận "
            "và vẫn tiếp tục thi công.",
            "Gia đình tôi đã sang đề nghị dừng thi công nhưng không được chấp nhận, phía gia đình "
            "ông còn có lời lẽ xúc phạm.",
            "Dù gia đình tôi đã phản đối, việc xây dựng vẫn được tiến hành cả ngày lẫn đêm."),
        w.s(f"Ngày {dmy(p['d2'])}, UBND {ww} {who.home.ward} đã tổ chức hòa giải nhưng không "
            f"thành (Biên bản hòa giải không thành ngày {dmy(p['d2'])}).",
            f"UBND {ww} {who.home.ward} đã mời hai bên lên hòa giải ngày {dmy(p['d2'])}, kết quả "
            "hòa giải không thành.",
            f"Buổi hòa giải tại UBND {ww} {who.home.ward} ngày {dmy(p['d2'])} không đạt kết quả "
            "do ông không có thiện chí."),
    ]]
    argue = [w.s(f"Việc làm của gia đình ông {p['nb']} đã xâm phạm nghiêm trọng quyền sử dụng "
                 "đất hợp pháp của gia đình tôi, vi phạm quy định của Luật Đất đai.",
                 "Hành vi lấn chiếm đất nêu trên là trái pháp luật, ảnh hưởng trực tiếp đến "
                 "quyền và lợi ích hợp pháp của gia đình tôi.")]
    req = [w.s(f"Tổ chức đo đạc, xác định lại ranh giới giữa thửa đất số {p['parcel']} và thửa "
               f"đất số {p['nparcel']}, tờ bản đồ số {p['sheet']}.",
               f"Cử cán bộ địa chính xuống đo đạc lại hiện trạng thửa đất số {p['parcel']} và "
               f"thửa đất số {p['nparcel']}."),
           w.s(f"Buộc gia đình ông {p['nb']} dừng thi công, tháo dỡ phần công trình xây lấn, trả "
               "lại hiện trạng ban đầu.",
               f"Yêu cầu hộ ông {p['nb']} tháo dỡ công trình lấn chiếm và trả lại phần đất đã lấn."),
           w.s("Xử lý nghiêm hành vi lấn chiếm đất theo quy định của pháp luật.",
               "Xem xét xử lý vi phạm theo đúng quy định.")]
    return Topic("land_boundary", "ĐỀ NGHỊ" if v.chance(0.4) else "KHIẾU NẠI",
                 f"tranh chấp ranh giới, lấn chiếm đất tại thửa đất số {p['parcel']}",
                 [f"UBND {ww} {who.home.ward}", f"Chủ tịch UBND {un}",
                  f"Phòng Tài nguyên và Môi trường {un}", "Ban Tiếp công dân thành phố Hà Nội"],
                 facts, argue, req,
                 [f"Bản sao Giấy chứng nhận quyền sử dụng đất số {p['gcn']}",
                  f"Biên bản hòa giải không thành ngày {dmy(p['d2'])}", "Ảnh chụp hiện trạng"],
                 spare=[w.s("Gia đình tôi có người già yếu, việc tranh chấp kéo dài khiến cả nhà "
                            "rất bức xúc, lo lắng.",
                            "Sự việc kéo dài đã ảnh hưởng lớn tới tình làng nghĩa xóm.")],
                 params=p)


def compensation(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """The compensation for land recovered for a project is too low."""
    v = w.v
    area = v.randint(35, 420)
    unitp = v.randint(6, 60) * 500_000
    p = _p({"project": v.choice(PROJECTS), "parcel": v.randint(5, 1400), "sheet": v.randint(2, 60),
            "qd_th": f"{v.randint(100, 9999)}/QĐ-UBND", "qd": f"{v.randint(100, 9999)}/QĐ-UBND",
            "d_th": before(w, when, 200, 500), "d_qd": before(w, when, 30, 190), "area": area,
            "area_o": v.randint(20, area), "unitp": unitp, "year": v.randint(1975, 1992),
            "people": v.randint(3, 9)}, keep)
    p["amount"] = p.get("amount", p["area"] * p["unitp"] + v.randint(0, 99) * 1_000_000)
    un = unit(who.home.district)
    facts = [[
        w.s(f"Gia đình tôi có thửa đất số {p['parcel']}, tờ bản đồ số {p['sheet']}, diện tích "
            f"{p['area']} m² bị thu hồi để thực hiện {p['project']} theo Quyết định thu hồi đất số "
            f"{p['qd_th']} ngày {dmy(p['d_th'])} của UBND {un}.",
            f"Theo Quyết định số {p['qd_th']} ngày {dmy(p['d_th'])} của UBND {un}, Nhà nước thu "
            f"hồi {p['area']} m² đất của gia đình tôi tại thửa đất số {p['parcel']}, tờ bản đồ số "
            f"{p['sheet']} để thực hiện {p['project']}.",
            f"Thực hiện {p['project']}, UBND {un} đã ban hành Quyết định số {p['qd_th']} ngày "
            f"{dmy(p['d_th'])} thu hồi toàn bộ thửa đất số {p['parcel']}, tờ bản đồ số "
            f"{p['sheet']} ({p['area']} m²) của gia đình tôi."),
        w.s("Gia đình tôi luôn chấp hành chủ trương của Nhà nước, đã bàn giao mặt bằng đúng hạn.",
            "Chúng tôi ủng hộ dự án và đã phối hợp với Ban bồi thường trong suốt quá trình kiểm đếm.",
            "Gia đình tôi hoàn toàn đồng tình với chủ trương thực hiện dự án."),
    ], [
        w.s(f"Ngày {dmy(p['d_qd'])}, UBND {un} ban hành Quyết định số {p['qd']} phê duyệt phương "
            f"án bồi thường, hỗ trợ cho gia đình tôi với tổng số tiền là {money(p['amount'])} đồng "
            f"(Bằng chữ: {money_words(p['amount'])}).",
            f"Tại Quyết định số {p['qd']} ngày {dmy(p['d_qd'])}, gia đình tôi chỉ được bồi thường, "
            f"hỗ trợ tổng cộng {money(p['amount'])} đồng.",
            f"Phương án bồi thường phê duyệt kèm theo Quyết định số {p['qd']} ngày "
            f"{dmy(p['d_qd'])} xác định gia đình tôi được nhận {money(p['amount'])} đồng."),
        w.s(f"Trong đó {p['area_o']} m² chỉ được bồi thường theo giá đất nông nghiệp, trong khi gia "
            f"đình tôi đã sử dụng ổn định làm nhà ở từ năm {p['year']}, trước ngày 15/10/1993.",
            f"Diện tích {p['area_o']} m² gia đình tôi làm nhà ở liên tục từ năm {p['year']} lại bị "
            "xác định là đất nông nghiệp, không được bồi thường theo giá đất ở.",
            f"Phần diện tích {p['area_o']} m² đất ở có từ năm {p['year']} bị áp giá đất vườn ao."),
        w.s(f"Đơn giá bồi thường {money(p['unitp'])} đồng/m² thấp hơn nhiều so với giá chuyển "
            "nhượng thực tế tại khu vực.",
            f"Mức giá {money(p['unitp'])} đồng/m² không phù hợp với giá thị trường tại thời điểm "
            "thu hồi đất.",
            f"Giá {money(p['unitp'])} đồng cho mỗi mét vuông là quá thấp so với các thửa đất xung quanh."),
        w.s(f"Gia đình tôi có {p['people']} nhân khẩu, không còn chỗ ở nào khác nhưng không được "
            "xét giao đất tái định cư.",
            f"Hộ gia đình tôi gồm {p['people']} người, sau khi bị thu hồi đất không còn nơi ở nào "
            "khác nhưng không được bố trí tái định cư.",
            f"Cả {p['people']} nhân khẩu trong gia đình hiện phải đi thuê nhà vì chưa được bố trí "
            "tái định cư."),
    ]]
    argue = [w.s("Việc áp giá và xác định nguồn gốc đất như trên là không đúng quy định, gây "
                 "thiệt hại lớn cho gia đình tôi.",
                 "Phương án bồi thường nêu trên chưa đúng với quy định của pháp luật đất đai "
                 "và chưa đảm bảo quyền lợi chính đáng của người có đất bị thu hồi.")]
    req = [w.s(f"Xem xét lại Quyết định số {p['qd']} ngày {dmy(p['d_qd'])} của UBND {un}.",
               f"Hủy bỏ Quyết định số {p['qd']} và lập lại phương án bồi thường cho gia đình tôi."),
           w.s(f"Bồi thường diện tích {p['area_o']} m² theo giá đất ở.",
               f"Xác định lại nguồn gốc {p['area_o']} m² đất là đất ở để bồi thường đúng quy định."),
           w.s("Xét giao một suất đất tái định cư cho gia đình tôi.",
               "Bố trí tái định cư và hỗ trợ ổn định đời sống cho gia đình tôi.")]
    extra = [f"UỶ BAN NHÂN DÂN {un.upper()}\nSố: {p['qd']}\nQUYẾT ĐỊNH\nVề việc phê duyệt phương án "
             f"bồi thường, hỗ trợ, tái định cư\nthực hiện {p['project']}\n"
             f"Điều 1. Phê duyệt phương án bồi thường, hỗ trợ cho hộ {who.title.lower()} {who.name}, "
             f"thửa đất số {p['parcel']}, tờ bản đồ số {p['sheet']}, tổng số tiền: "
             f"{money(p['amount'])} đồng.\nĐiều 2. Ban Bồi thường, giải phóng mặt bằng {un} có "
             "trách nhiệm chi trả theo quy định.\nĐiều 3. Quyết định này có hiệu lực kể từ ngày ký."
             "\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(đã ký)"]
    return Topic("compensation", "KHIẾU NẠI",
                 f"khiếu nại Quyết định số {p['qd']} về bồi thường, hỗ trợ khi thu hồi đất",
                 [f"Chủ tịch UBND {un}", f"Ban Bồi thường, giải phóng mặt bằng {un}",
                  "Chủ tịch UBND thành phố Hà Nội", "Thanh tra thành phố Hà Nội"],
                 facts, argue, req,
                 [f"Bản sao Quyết định số {p['qd']}", f"Bản sao Quyết định số {p['qd_th']}",
                  "Giấy tờ chứng minh nguồn gốc đất", "Sổ hộ khẩu (bản photo)"], extra,
                 spare=[w.s("Gia đình tôi là gia đình chính sách, bố tôi là thương binh hạng 2/4.",
                            "Bản thân tôi đã ngoài 70 tuổi, sức khỏe yếu, không có nguồn thu nhập nào khác.")],
                 params=p)


def construction(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """A neighbour's building goes beyond its permit and cracks the petitioner's house."""
    v = w.v
    p = _p({"nb": new_person(v, "-").name, "house": v.randint(2, 200), "gp": f"{v.randint(10, 999)}/GPXD",
            "gp_date": before(w, when, 120, 400), "f1": v.randint(3, 5), "d1": before(w, when, 30, 150),
            "d2": before(w, when, 5, 28), "damage": v.randint(8, 180) * 1_000_000,
            "crack": v.randint(3, 25)}, keep)
    p["f2"] = p.get("f2", p["f1"] + v.randint(1, 3))
    ww, un = ward_word(who.home.district), unit(who.home.district)
    nbaddr = f"số {p['house']} {who.home.street}"
    facts = [[
        w.s(f"Gia đình ông {p['nb']} tại {nbaddr} (sát vách nhà tôi) đang xây dựng nhà ở theo "
            f"Giấy phép xây dựng số {p['gp']} ngày {dmy(p['gp_date'])}, được phép xây {p['f1']} tầng.",
            f"Hộ ông {p['nb']}, địa chỉ {nbaddr}, được cấp Giấy phép xây dựng số {p['gp']} ngày "
            f"{dmy(p['gp_date'])} với quy mô {p['f1']} tầng.",
            f"Nhà ông {p['nb']} ({nbaddr}) liền kề nhà tôi khởi công xây dựng từ tháng "
            f"{p['d1'].month}/{p['d1'].year} theo giấy phép số {p['gp']} (quy mô {p['f1']} tầng)."),
        w.s(f"Thực tế công trình đã xây tới {p['f2']} tầng và một tum, vượt quá giấy phép được cấp.",
            f"Hiện nay công trình đã lên {p['f2']} tầng, sai so với nội dung giấy phép.",
            f"Chủ nhà đã xây vượt lên {p['f2']} tầng, lại đua ban công ra ngoài chỉ giới."),
    ], [
        w.s(f"Từ ngày {dmy(p['d1'])}, khi công trình ép cọc và đào móng, nhà tôi bị nứt {p['crack']} "
            "vết ở tường và sàn, nền nhà bị lún.",
            f"Quá trình thi công móng từ ngày {dmy(p['d1'])} đã làm nhà tôi xuất hiện {p['crack']} "
            "vết nứt, cửa không đóng được, trần bị thấm dột.",
            f"Kể từ {long_date(p['d1'])}, do bên thi công không che chắn và không gia cố, nhà tôi "
            f"bị nứt {p['crack']} vết lớn nhỏ."),
        w.s(f"Ngày {dmy(p['d2'])}, tôi đã báo UBND {ww} {who.home.ward} và Đội Thanh tra xây dựng "
            "xuống lập biên bản hiện trạng nhưng đến nay công trình vẫn thi công bình thường.",
            f"Tôi đã báo cáo sự việc với UBND {ww} ngày {dmy(p['d2'])}, cán bộ có xuống kiểm tra "
            "nhưng việc thi công vẫn không dừng.",
            f"Ngày {dmy(p['d2'])} đoàn kiểm tra của {ww} đã lập biên bản nhưng chủ công trình vẫn "
            "tiếp tục xây dựng."),
        w.s(f"Thiệt hại ước tính khoảng {money(p['damage'])} đồng.",
            f"Chi phí sửa chữa theo báo giá của thợ là {money(p['damage'])} đồng.",
            f"Theo đánh giá sơ bộ, thiệt hại của gia đình tôi khoảng {money(p['damage'])} đồng."),
    ]]
    argue = [w.s("Việc xây dựng sai phép, không đảm bảo an toàn cho công trình lân cận là vi "
                 "phạm Luật Xây dựng.",
                 "Công trình vi phạm trật tự xây dựng và gây mất an toàn nghiêm trọng cho nhà tôi.")]
    req = [w.s("Kiểm tra, đình chỉ thi công công trình vi phạm.",
               "Tiến hành kiểm tra và tạm dừng thi công ngay công trình nêu trên."),
           w.s(f"Buộc chủ công trình bồi thường thiệt hại {money(p['damage'])} đồng cho gia đình tôi.",
               "Yêu cầu chủ đầu tư công trình sửa chữa, bồi thường toàn bộ thiệt hại."),
           w.s("Xử lý phần xây dựng vượt phép theo quy định.",
               "Xử phạt vi phạm hành chính và buộc tháo dỡ phần sai phép.")]
    return Topic("construction", v.choice(("PHẢN ÁNH", "KIẾN NGHỊ", "KHIẾU NẠI")),
                 "công trình xây dựng sai phép gây lún nứt nhà liền kề",
                 [f"UBND {ww} {who.home.ward}", f"Chủ tịch UBND {un}",
                  f"Đội Thanh tra trật tự xây dựng {un}", "Sở Xây dựng Hà Nội"],
                 facts, argue, req, ["Ảnh chụp các vết nứt", f"Biên bản kiểm tra ngày {dmy(p['d2'])}"],
                 spare=[w.s("Gia đình tôi có con nhỏ, ai cũng lo sợ nhà có thể đổ sập bất cứ lúc nào.",
                            "Mỗi khi có xe chở vật liệu vào, cả nhà tôi rung lắc rất mạnh.")],
                 params=p)


def landcert(w: Writer, who: Person, when: dt.date, keep: dict | None = None) -> Topic:
    """The land certificate applied for long ago has not been issued."""
    v = w.v
    p = _p({"parcel": v.randint(5, 900), "sheet": v.randint(1, 50), "area": v.randint(30, 300),
            "rcpt": f"{v.randint(1000, 99999)}/PH-{v.choice(('VPĐK', 'BPMC', 'TNMT'))}",
            "sub": before(w, when, 150, 600), "times": v.randint(2, 7),
            "orig": v.choice(("nhận chuyển nhượng năm 1998", "được ông bà để lại thừa kế",
                              "được hợp tác xã giao làm nhà ở năm 1986", "mua của ông Trần Văn Hòe năm 2002"))},
           keep)
    un = unit(who.home.district)
    facts = [[
        w.s(f"Gia đình tôi đang sử dụng thửa đất số {p['parcel']}, tờ bản đồ số {p['sheet']}, "
            f"diện tích {p['area']} m², nguồn gốc {p['orig']}.",
            f"Thửa đất số {p['parcel']} tờ bản đồ số {p['sheet']} ({p['area']} m²) tại {who.home.full(2)} "
            f"có nguồn gốc {p['orig']}, sử dụng ổn định, không tranh chấp.",
            f"Nguồn gốc thửa đất số {p['parcel']}, tờ bản đồ {p['sheet']}, diện tích {p['area']} m² "
            f"là {p['orig']}."),
        w.s(f"Ngày {dmy(p['sub'])}, tôi đã nộp đầy đủ hồ sơ đề nghị cấp Giấy chứng nhận quyền sử "
            f"dụng đất tại Bộ phận một cửa, có Phiếu hẹn trả kết quả số {p['rcpt']}.",
            f"Tôi nộp hồ sơ xin cấp Giấy chứng nhận ngày {dmy(p['sub'])} (Phiếu tiếp nhận số "
            f"{p['rcpt']}).",
            f"Hồ sơ đề nghị cấp sổ đỏ của tôi được tiếp nhận ngày {dmy(p['sub'])} theo phiếu hẹn số "
            f"{p['rcpt']}."),
    ], [
        w.s("Theo quy định thời hạn giải quyết không quá 30 ngày làm việc, nhưng đến nay đã quá "
            "hạn rất lâu mà tôi vẫn chưa nhận được Giấy chứng nhận.",
            "Đã quá thời hạn giải quyết theo quy định nhưng hồ sơ của tôi vẫn chưa có kết quả.",
            "Thời gian giải quyết đã kéo dài gấp nhiều lần thời hạn theo quy định."),
        w.s(f"Tôi đã {p['times']} lần đến hỏi nhưng cán bộ chỉ trả lời là hồ sơ đang được xem xét, "
            "không có văn bản nêu lý do chậm.",
            f"Qua {p['times']} lần liên hệ, tôi chỉ nhận được câu trả lời miệng là đang chờ ý kiến "
            "lãnh đạo.",
            f"Tôi đã lên hỏi {p['times']} lần, mỗi lần lại được yêu cầu bổ sung một loại giấy tờ khác."),
    ]]
    argue = [w.s("Việc chậm giải quyết hồ sơ mà không thông báo lý do là trái với quy định về "
                 "thủ tục hành chính.",
                 "Sự chậm trễ này gây nhiều khó khăn cho gia đình tôi trong việc thực hiện các "
                 "quyền của người sử dụng đất.")]
    req = [w.s(f"Kiểm tra, đôn đốc giải quyết hồ sơ theo Phiếu hẹn số {p['rcpt']}.",
               f"Chỉ đạo các bộ phận chuyên môn giải quyết dứt điểm hồ sơ số {p['rcpt']}."),
           w.s("Cấp Giấy chứng nhận quyền sử dụng đất cho gia đình tôi theo quy định.",
               "Trả lời bằng văn bản nếu hồ sơ chưa đủ điều kiện cấp.")]
    return Topic("landcert", v.choice(("KIẾN NGHỊ", "KHIẾU NẠI", "ĐỀ NGHỊ")),
                 "chậm cấp Giấy chứng nhận quyền sử dụng đất",
                 [f"Chủ tịch UBND {un}", f"Chi nhánh Văn phòng đăng ký đất đai {un}",
                  "Sở Tài nguyên và Môi trường Hà Nội", "Ban Tiếp công dân thành phố Hà Nội"],
                 facts, argue, req, [f"Bản sao Phiếu hẹn số {p['rcpt']}", "Giấy tờ về nguồn gốc đất"],
                 spare=[w.s("Gia đình tôi cần Giấy chứng nhận để làm thủ tục vay vốn ngân hàng.",
                            "Việc chưa có sổ đỏ khiến gia đình tôi không thể tách thửa cho các con.")],
                 params=p)
