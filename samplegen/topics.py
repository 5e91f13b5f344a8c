"""What petitions are about: per-topic facts (decision numbers, parcels, amounts) and sentence templates.

Each topic has an intro per kind of petition, ordered body slots with alternative paragraphs, and
requests. A petition records which alternative it took for every slot, so a "same template, other
person" hard negative can reuse the exact choices with new facts.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from samplegen import people
from samplegen.people import Citizen

KINDS = ("khieu_nai", "to_cao", "kien_nghi", "phan_anh")
KIND_TITLE = {"khieu_nai": "ĐƠN KHIẾU NẠI", "to_cao": "ĐƠN TỐ CÁO",
              "kien_nghi": "ĐƠN KIẾN NGHỊ", "phan_anh": "ĐƠN PHẢN ÁNH"}
KIND_WORD = {"khieu_nai": "khiếu nại", "to_cao": "tố cáo", "kien_nghi": "kiến nghị", "phan_anh": "phản ánh"}
KIND_LAW = {
    "khieu_nai": "Căn cứ Luật Khiếu nại năm 2011 và Luật Tiếp công dân năm 2013, tôi thực hiện quyền "
                 "khiếu nại của mình và đề nghị cơ quan có thẩm quyền thụ lý, giải quyết theo đúng trình tự, thời hạn luật định.",
    "to_cao": "Căn cứ Luật Tố cáo năm 2018, tôi đề nghị cơ quan có thẩm quyền thụ lý, xác minh nội dung tố cáo "
              "và giữ bí mật họ tên, địa chỉ, bút tích của người tố cáo theo quy định.",
    "kien_nghi": "Căn cứ Luật Tiếp công dân năm 2013 và các quy định về tiếp nhận, xử lý phản ánh, kiến nghị "
                 "của cá nhân, tổ chức, tôi đề nghị cơ quan có thẩm quyền xem xét và trả lời bằng văn bản.",
    "phan_anh": "Căn cứ Luật Tiếp công dân năm 2013, tôi phản ánh sự việc trên để cơ quan có thẩm quyền "
                "kiểm tra, xử lý kịp thời và thông báo kết quả cho người phản ánh được biết.",
}

# Topic-neutral paragraphs used to pad a petition to its target length.
PADDING = (
    "Sự việc kéo dài đã gây ảnh hưởng lớn đến đời sống, sức khỏe và tinh thần của gia đình tôi "
    "cũng như nhiều hộ dân sinh sống xung quanh.",
    "Tôi là công dân luôn chấp hành nghiêm chỉnh chủ trương của Đảng, chính sách và pháp luật của "
    "Nhà nước, thực hiện đầy đủ nghĩa vụ đối với địa phương nơi cư trú.",
    "Tôi rất mong nhận được sự quan tâm, xem xét của các cấp có thẩm quyền để vụ việc sớm được giải "
    "quyết dứt điểm, tránh phát sinh khiếu kiện kéo dài, vượt cấp.",
    "Tôi sẵn sàng phối hợp, cung cấp thêm thông tin, tài liệu liên quan và có mặt khi cơ quan chức "
    "năng yêu cầu làm việc.",
    "Trong thời gian chờ giải quyết, gia đình tôi vẫn nghiêm túc chấp hành các quy định của địa "
    "phương và không có hành vi gây mất an ninh trật tự.",
    "Kèm theo đơn này, tôi gửi bản sao các giấy tờ có liên quan để các cơ quan có thẩm quyền tiện "
    "theo dõi, đối chiếu trong quá trình xem xét, giải quyết.",
    "Nhiều hộ dân trong khu vực cũng gặp tình trạng tương tự nhưng chưa được cơ quan nào hướng dẫn, "
    "giải thích rõ ràng, gây bức xúc trong nhân dân.",
    "Tôi đã tìm hiểu kỹ các quy định hiện hành và nhận thấy việc giải quyết như trên là chưa thỏa "
    "đáng, chưa bảo đảm quyền và lợi ích hợp pháp của công dân.",
)
CLOSINGS = {
    "default": (
        "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật và xin chịu hoàn toàn trách "
        "nhiệm trước pháp luật về nội dung đơn này.",
        "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật, nếu sai tôi xin chịu trách "
        "nhiệm trước pháp luật. Tôi xin chân thành cảm ơn!",
        "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật. Kính mong các cơ quan có "
        "thẩm quyền quan tâm giải quyết. Tôi xin trân trọng cảm ơn!",
    ),
    "to_cao": (
        "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật và chịu trách nhiệm trước "
        "pháp luật nếu cố tình tố cáo sai sự thật.",
        "Tôi xin cam đoan những nội dung trình bày trên là đúng sự thật, nếu sai tôi xin chịu hoàn "
        "toàn trách nhiệm trước pháp luật.",
    ),
}


def dmy(d: date) -> str:
    """dd/mm/yyyy as on Vietnamese forms."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def long_date(d: date) -> str:
    """'ngày 12 tháng 3 năm 2026'."""
    return f"ngày {d.day} tháng {d.month} năm {d.year}"


def money(amount: int) -> str:
    """1.250.000.000 — dots group thousands in Vietnamese."""
    return f"{amount:,}".replace(",", ".")


def _before(rng: random.Random, day: date, lo: int, hi: int) -> date:
    return day - timedelta(days=rng.randint(lo, hi))


def _decision(rng: random.Random, suffix: str = "QĐ-UBND") -> str:
    return f"{rng.randint(100, 9999)}/{suffix}"


def _area(rng: random.Random, lo: float, hi: float) -> str:
    return f"{rng.uniform(lo, hi):.1f}".replace(".", ",")


def _common(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    a = c.address
    return {
        "ward": a.ward, "district": a.district, "street": a.street,
        "ub_phuong": f"Ủy ban nhân dân phường {a.ward}",
        "ub_quan": f"Ủy ban nhân dân quận {a.district}",
        "ward_full": f"phường {a.ward}, quận {a.district}",
        "prior_date": dmy(_before(rng, day, 60, 200)),
        "meeting_date": dmy(_before(rng, day, 20, 120)),
        "months": str(rng.randint(3, 14)),
    }


def _facts_land(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    f.update(parcel=str(rng.randint(5, 420)), sheet=str(rng.randint(1, 64)), area=_area(rng, 38, 260),
             gcn=f"{rng.choice(['CS', 'BĐ', 'AK', 'CH'])} {rng.randint(100000, 999999)}",
             gcn_year=str(rng.randint(1996, 2012)), origin_year=str(rng.randint(1975, 2003)),
             neighbor=people.full_name(rng, female=False)[0], enc_m2=_area(rng, 1.5, 12),
             app_date=dmy(_before(rng, day, 150, 500)), receipt=f"{rng.randint(10, 999)}/TNHS",
             decision=_decision(rng), decision_date=dmy(_before(rng, day, 30, 140)))
    return f


def _facts_build(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    allowed = rng.randint(3, 5)
    f.update(owner=people.full_name(rng)[0], site=f"số {rng.randint(1, 150)} {c.address.street}",
             floors=str(allowed + rng.randint(1, 3)), allowed=str(allowed),
             permit=f"{rng.randint(10, 999)}/GPXD", start=dmy(_before(rng, day, 60, 300)),
             report=f"{rng.randint(10, 300)}/BB-VPHC", report_date=dmy(_before(rng, day, 20, 90)),
             crack_m=str(rng.randint(2, 9)))
    return f


def _facts_noise(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    business = rng.choice(["quán karaoke {n}", "xưởng mộc {n}", "nhà hàng {n}", "cơ sở rửa xe {n}",
                           "xưởng cơ khí {n}", "quán bia {n}"])
    f.update(business=business.format(n=rng.choice(["Hoàng Gia", "Thành Đạt", "Phú Quý", "Minh Long",
                                                      "Hải Đăng", "Sao Mai", "Hồng Phát"])),
             site=f"số {rng.randint(1, 150)} {c.address.street}", since=f"{rng.randint(1, 12)}/{day.year - 1}",
             start_h=str(rng.choice([21, 22, 23])), end_h=str(rng.choice([1, 2, 3])),
             db=str(rng.randint(72, 95)), households=str(rng.randint(12, 60)),
             report=f"{rng.randint(10, 300)}/BB-VPHC", fine=money(rng.randint(4, 40) * 500_000))
    return f


def _facts_clearance(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    offered = rng.randint(18, 90) * 1_000_000
    f.update(project=rng.choice(["dự án mở rộng đường Vành đai 2,5", "dự án xây dựng đường Vành đai 4",
                                 "dự án cải tạo, mở rộng phố {s}", "dự án xây dựng trường tiểu học phường {w}",
                                 "dự án xây dựng công viên hồ điều hòa {w}"]).format(
                 s=c.address.street.split(" ", 1)[1], w=c.address.ward),
             recover=_decision(rng), recover_date=dmy(_before(rng, day, 90, 300)),
             decision=_decision(rng), decision_date=dmy(_before(rng, day, 30, 100)),
             parcel=str(rng.randint(5, 420)), sheet=str(rng.randint(1, 64)), area=_area(rng, 20, 180),
             price=money(offered), market=money(offered * rng.randint(3, 6)),
             total=money(offered * rng.randint(40, 160)), resettle=f"{rng.randint(45, 75)} m²")
    return f


def _facts_insurance(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    f.update(company="Công ty " + rng.choice(["TNHH Thương mại Minh Phát", "Cổ phần Xây dựng Hà Thành",
                                              "TNHH May mặc Thăng Long", "Cổ phần Dịch vụ Sông Hồng",
                                              "TNHH Điện tử Kim Long"]),
             bhxh="".join(rng.choice("0123456789") for _ in range(10)),
             from_m=f"{rng.randint(1, 12):02d}/{day.year - rng.randint(2, 4)}",
             to_m=f"{rng.randint(1, 12):02d}/{day.year - 1}", owed=str(rng.randint(6, 30)),
             amount=money(rng.randint(20, 400) * 1_000_000),
             benefit=rng.choice(["lương hưu", "trợ cấp thất nghiệp", "chế độ thai sản", "trợ cấp một lần"]),
             app_date=dmy(_before(rng, day, 60, 250)), ref=f"{rng.randint(10, 999)}/BHXH-CĐ")
    return f


def _facts_official(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    f.update(official=people.full_name(rng)[0],
             role=rng.choice(["cán bộ địa chính - xây dựng", "cán bộ tư pháp - hộ tịch",
                              "cán bộ tiếp nhận hồ sơ tại bộ phận một cửa", "Phó Chủ tịch"]),
             procedure=rng.choice(["chứng thực hợp đồng chuyển nhượng", "đăng ký khai sinh cho cháu",
                                   "xác nhận nguồn gốc đất", "cấp phép sửa chữa nhà ở"]),
             event_date=dmy(_before(rng, day, 10, 120)), sum=money(rng.randint(2, 60) * 500_000),
             visits=str(rng.randint(3, 7)))
    return f


def _facts_building(rng: random.Random, c: Citizen, day: date) -> dict[str, str]:
    f = _common(rng, c, day)
    f.update(tower=f"tòa {rng.choice('ABC')}{rng.randint(1, 3)} chung cư {rng.choice(['Hoàng Gia', 'An Bình', 'Sông Hồng', 'Thăng Long', 'Green Park'])}",
             developer="Công ty " + rng.choice(["Cổ phần Đầu tư Bất động sản Hà Nội Xanh",
                                                "TNHH Phát triển Nhà Thủ Đô", "Cổ phần Địa ốc Tây Hồ"]),
             fund=money(rng.randint(8, 90) * 1_000_000_000), apartment=f"{rng.randint(3, 28)}{rng.randint(1, 20):02d}",
             households=str(rng.randint(150, 900)), handover=str(rng.randint(2014, 2021)),
             meeting_date=dmy(_before(rng, day, 30, 200)))
    return f


@dataclass(frozen=True)
class Topic:
    """One subject of petitions: facts generator, templates, and who it is addressed to."""

    key: str
    subject: str  # for "V/v: ..."
    kinds: tuple[str, ...]
    facts: Callable[[random.Random, Citizen, date], dict[str, str]]
    intro: dict[str, tuple[str, ...]]
    slots: tuple[tuple[str, ...], ...]
    requests: tuple[str, ...]
    recipients: tuple[str, ...]
    attachments: tuple[str, ...]


TOPICS: dict[str, Topic] = {}


def _add(t: Topic) -> None:
    TOPICS[t.key] = t


_add(Topic(
    key="dat_dai", subject="cấp Giấy chứng nhận quyền sử dụng đất và tranh chấp ranh giới thửa đất",
    kinds=("khieu_nai", "kien_nghi", "phan_anh"), facts=_facts_land,
    intro={
        "khieu_nai": ("Tôi làm đơn này khiếu nại Quyết định số {decision} ngày {decision_date} của Chủ tịch {ub_quan} "
                      "về việc không cấp Giấy chứng nhận quyền sử dụng đất đối với thửa đất số {parcel}, tờ bản đồ số {sheet} của gia đình tôi.",
                      "Nay tôi làm đơn này khiếu nại Quyết định số {decision} ngày {decision_date} của {ub_quan}, vì quyết định "
                      "này không đúng với thực tế sử dụng đất và xâm phạm quyền lợi hợp pháp của gia đình tôi."),
        "kien_nghi": ("Tôi làm đơn này kiến nghị các cơ quan có thẩm quyền xem xét việc cấp Giấy chứng nhận quyền sử dụng đất "
                      "đối với thửa đất số {parcel}, tờ bản đồ số {sheet} tại {ward_full}.",
                      "Tôi xin trình bày và kiến nghị về việc giải quyết hồ sơ cấp Giấy chứng nhận quyền sử dụng đất "
                      "của gia đình tôi như sau:"),
        "phan_anh": ("Tôi làm đơn này phản ánh việc hồ sơ đề nghị cấp Giấy chứng nhận quyền sử dụng đất của gia đình tôi "
                     "tại {ub_phuong} bị chậm giải quyết quá thời hạn quy định.",),
    },
    slots=(
        ("Gia đình tôi sử dụng ổn định thửa đất số {parcel}, tờ bản đồ số {sheet}, diện tích {area} m² từ năm {origin_year}, "
         "không có tranh chấp với ai và đã đóng thuế sử dụng đất đầy đủ hằng năm.",
         "Nguồn gốc thửa đất số {parcel}, tờ bản đồ số {sheet} (diện tích {area} m²) là do bố mẹ tôi nhận chuyển nhượng từ năm "
         "{origin_year}, có giấy tờ mua bán viết tay và xác nhận của chính quyền địa phương thời điểm đó.",
         "Thửa đất số {parcel}, tờ bản đồ số {sheet} có diện tích {area} m² đã được cấp Giấy chứng nhận quyền sử dụng đất số "
         "{gcn} năm {gcn_year} mang tên bố tôi, sau đó được để thừa kế lại cho tôi."),
        ("Ngày {app_date}, tôi đã nộp đầy đủ hồ sơ tại bộ phận một cửa của {ub_phuong} (Giấy tiếp nhận hồ sơ số {receipt}). "
         "Tuy nhiên đến nay đã hơn {months} tháng, hồ sơ vẫn chưa được giải quyết và tôi không nhận được văn bản trả lời nào.",
         "Từ năm ngoái, gia đình ông {neighbor} ở thửa đất liền kề đã tự ý xây tường rào lấn sang phần đất của gia đình tôi "
         "khoảng {enc_m2} m², làm thay đổi mốc giới đã được xác định trên bản đồ địa chính.",
         "Ngày {decision_date}, {ub_quan} ban hành Quyết định số {decision} với lý do đất có nguồn gốc lấn chiếm, trong khi hồ sơ "
         "địa chính qua các thời kỳ đều thể hiện gia đình tôi sử dụng đất liên tục, ổn định."),
        ("Gia đình tôi đã nhiều lần đến trụ sở {ub_phuong} để hỏi, nhưng cán bộ địa chính chỉ trả lời là hồ sơ đang được "
         "xem xét mà không nêu rõ lý do chậm trễ.",
         "Ngày {meeting_date}, {ub_phuong} đã tổ chức hòa giải nhưng không thành, biên bản hòa giải ghi nhận hai bên chưa "
         "thống nhất được ranh giới thửa đất.",
         "Tôi đã gửi đơn đến {ub_phuong} vào ngày {prior_date} nhưng chỉ nhận được phiếu hẹn, sau đó không có kết quả giải quyết."),
        ("Việc chậm cấp Giấy chứng nhận khiến gia đình tôi không thể làm thủ tục thừa kế, không thể thế chấp vay vốn ngân hàng, "
         "ảnh hưởng nghiêm trọng đến quyền và lợi ích hợp pháp của gia đình tôi.",
         "Theo Luật Đất đai năm 2024, hộ gia đình sử dụng đất ổn định, không có tranh chấp thì được xem xét cấp Giấy chứng nhận "
         "quyền sử dụng đất. Trường hợp của gia đình tôi đáp ứng đầy đủ các điều kiện này."),
    ),
    requests=(
        "Tôi đề nghị {ub_quan} xem xét lại hồ sơ, hủy bỏ Quyết định số {decision} và chỉ đạo cơ quan chuyên môn cấp Giấy "
        "chứng nhận quyền sử dụng đất cho gia đình tôi theo đúng quy định của pháp luật.",
        "Tôi đề nghị {ub_phuong} tổ chức đo đạc lại, xác định chính xác mốc giới thửa đất số {parcel}, tờ bản đồ số {sheet} "
        "và yêu cầu gia đình ông {neighbor} tháo dỡ phần tường rào xây lấn chiếm.",
        "Tôi đề nghị các cơ quan có thẩm quyền khẩn trương giải quyết hồ sơ của gia đình tôi và trả lời bằng văn bản lý do chậm giải quyết.",
    ),
    recipients=("Chủ tịch {ub_quan}", "{ub_quan}", "{ub_phuong}", "Sở Nông nghiệp và Môi trường thành phố Hà Nội"),
    attachments=("Bản sao Giấy chứng nhận quyền sử dụng đất số {gcn};", "Bản sao Quyết định số {decision};",
                 "Bản sao Giấy tiếp nhận hồ sơ số {receipt};", "Sơ đồ thửa đất số {parcel}, tờ bản đồ số {sheet}."),
))

_add(Topic(
    key="xay_dung", subject="công trình xây dựng sai phép, không phép tại {site}",
    kinds=("to_cao", "phan_anh", "kien_nghi"), facts=_facts_build,
    intro={
        "to_cao": ("Tôi làm đơn này tố cáo hành vi xây dựng công trình sai phép của hộ {owner} tại {site}, {ward_full}.",
                   "Tôi xin tố cáo việc hộ {owner} xây dựng vượt tầng, lấn chiếm không gian chung tại {site} và việc buông lỏng "
                   "quản lý trật tự xây dựng của {ub_phuong}."),
        "phan_anh": ("Tôi làm đơn này phản ánh việc xây dựng công trình không đúng giấy phép tại {site}, {ward_full}.",),
        "kien_nghi": ("Tôi làm đơn này kiến nghị cơ quan chức năng kiểm tra, xử lý công trình xây dựng sai phép tại {site}.",
                      "Tôi xin kiến nghị về việc công trình nhà ở tại {site} xây dựng sai phép, ảnh hưởng đến nhà của gia đình tôi."),
    },
    slots=(
        ("Từ ngày {start}, hộ {owner} khởi công xây dựng nhà ở tại {site}. Theo Giấy phép xây dựng số {permit}, công trình chỉ "
         "được phép xây {allowed} tầng nhưng thực tế đã xây lên {floors} tầng và đổ thêm mái tum.",
         "Công trình tại {site} được cấp Giấy phép xây dựng số {permit} với quy mô {allowed} tầng, nhưng chủ nhà đã tự ý nâng lên "
         "{floors} tầng, đồng thời đua ban công vượt chỉ giới xây dựng ra phía {street}.",
         "Hộ {owner} xây dựng nhà {floors} tầng tại {site} mà không có giấy phép xây dựng, thi công cả ban đêm, vật liệu tập kết "
         "tràn ra lòng đường gây mất an toàn giao thông."),
        ("Quá trình thi công, chủ công trình không che chắn, để vật liệu rơi sang nhà tôi. Tường nhà tôi giáp công trình đã bị "
         "nứt dài khoảng {crack_m} m, mái tôn bị thủng nhiều chỗ.",
         "Việc đào móng sâu không có biện pháp chống đỡ khiến nền nhà tôi bị lún, tường bị nứt dài khoảng {crack_m} m, "
         "gia đình tôi phải di chuyển đồ đạc ra khỏi phòng ngủ tầng một.",
         "Công trình xây sát ranh giới, bịt kín cửa sổ và lối thoát khí của nhà tôi, ảnh hưởng đến việc thông gió, chiếu sáng."),
        ("Ngày {report_date}, đoàn kiểm tra của {ub_phuong} đã lập Biên bản vi phạm hành chính số {report} nhưng sau đó công trình "
         "vẫn tiếp tục thi công, không bị đình chỉ.",
         "Tôi đã báo cáo sự việc với {ub_phuong} từ ngày {prior_date}, cán bộ phường có xuống kiểm tra nhưng đến nay phần sai "
         "phép vẫn chưa bị xử lý, tháo dỡ.",
         "Tôi được biết công trình đã bị lập biên bản số {report}, tuy nhiên việc cưỡng chế không được thực hiện, gây dư luận "
         "không tốt trong khu dân cư."),
    ),
    requests=(
        "Tôi đề nghị {ub_quan} chỉ đạo kiểm tra, đình chỉ thi công và buộc tháo dỡ phần công trình xây dựng sai phép tại {site}.",
        "Tôi đề nghị cơ quan có thẩm quyền xử lý nghiêm hành vi vi phạm, buộc chủ công trình bồi thường thiệt hại cho nhà tôi "
        "và làm rõ trách nhiệm của cán bộ quản lý trật tự xây dựng phường {ward}.",
    ),
    recipients=("{ub_quan}", "Chủ tịch {ub_phuong}", "{ub_phuong}", "Sở Xây dựng Hà Nội"),
    attachments=("Ảnh chụp hiện trạng công trình;", "Ảnh chụp vết nứt tường nhà tôi;",
                 "Bản sao Biên bản vi phạm hành chính số {report}."),
))

_add(Topic(
    key="o_nhiem", subject="tiếng ồn và ô nhiễm môi trường từ {business}",
    kinds=("phan_anh", "kien_nghi", "to_cao"), facts=_facts_noise,
    intro={
        "phan_anh": ("Tôi làm đơn này phản ánh tình trạng ô nhiễm tiếng ồn, khói bụi do {business} tại {site} gây ra.",
                     "Tôi xin phản ánh việc {business} hoạt động gây ồn ào, ô nhiễm kéo dài tại {site}, {ward_full}."),
        "kien_nghi": ("Tôi làm đơn này kiến nghị cơ quan chức năng xử lý tình trạng ô nhiễm tiếng ồn và môi trường do {business} gây ra.",),
        "to_cao": ("Tôi làm đơn này tố cáo {business} tại {site} hoạt động không đúng giấy phép, gây ô nhiễm môi trường nghiêm trọng.",),
    },
    slots=(
        ("Từ tháng {since}, {business} tại {site} hoạt động liên tục từ {start_h} giờ đêm đến {end_h} giờ sáng hôm sau, "
         "âm thanh lớn vọng sang các nhà xung quanh.",
         "Kể từ tháng {since}, {business} thường xuyên mở nhạc, vận hành máy móc đến {end_h} giờ sáng. Theo máy đo của người dân, "
         "độ ồn có lúc lên tới {db} dB, vượt xa quy chuẩn cho phép.",
         "Cơ sở {business} tại {site} xả nước thải chưa qua xử lý ra cống chung, khói và mùi hôi bốc lên nồng nặc, nhất là vào buổi tối."),
        ("Khoảng {households} hộ dân trong ngõ bị ảnh hưởng, nhiều người già và trẻ nhỏ mất ngủ kéo dài, sức khỏe giảm sút.",
         "Tiếng ồn và mùi hôi khiến gia đình tôi và khoảng {households} hộ dân xung quanh không thể nghỉ ngơi, học tập và làm việc."),
        ("Ngày {prior_date}, tổ dân phố đã có văn bản gửi {ub_phuong}. Cơ sở đã bị lập Biên bản số {report} và phạt {fine} đồng "
         "nhưng sau đó vẫn tiếp tục hoạt động như cũ.",
         "Chúng tôi đã nhiều lần gọi điện báo Công an phường {ward}, lực lượng chức năng có đến nhắc nhở nhưng chỉ được vài hôm "
         "thì tình trạng lại tái diễn.",
         "Người dân đã nhiều lần góp ý trực tiếp với chủ cơ sở nhưng không được tiếp thu, thậm chí còn bị đe dọa."),
    ),
    requests=(
        "Tôi đề nghị {ub_phuong} kiểm tra, xử lý dứt điểm tình trạng ô nhiễm tiếng ồn của {business}, buộc cơ sở chấm dứt hoạt động "
        "sau 22 giờ theo quy định.",
        "Tôi đề nghị cơ quan có thẩm quyền đo đạc độ ồn, kiểm tra giấy phép môi trường của {business} và đình chỉ hoạt động nếu vi phạm.",
    ),
    recipients=("{ub_phuong}", "Chủ tịch {ub_phuong}", "Công an phường {ward}", "{ub_quan}"),
    attachments=("Ảnh chụp và video ghi lại tiếng ồn;", "Danh sách chữ ký của các hộ dân bị ảnh hưởng."),
))

_add(Topic(
    key="gpmb", subject="bồi thường, hỗ trợ giải phóng mặt bằng {project}",
    kinds=("khieu_nai", "kien_nghi"), facts=_facts_clearance,
    intro={
        "khieu_nai": ("Tôi làm đơn này khiếu nại Quyết định số {decision} ngày {decision_date} của {ub_quan} về việc phê duyệt "
                      "phương án bồi thường, hỗ trợ, tái định cư khi Nhà nước thu hồi đất thực hiện {project}.",
                      "Nay tôi khiếu nại Quyết định số {decision} ngày {decision_date} về bồi thường giải phóng mặt bằng {project} "
                      "đối với thửa đất số {parcel}, tờ bản đồ số {sheet} của gia đình tôi."),
        "kien_nghi": ("Tôi làm đơn này kiến nghị về đơn giá bồi thường giải phóng mặt bằng {project} đối với gia đình tôi.",),
    },
    slots=(
        ("Theo Quyết định thu hồi đất số {recover} ngày {recover_date}, Nhà nước thu hồi {area} m² đất ở của gia đình tôi tại "
         "thửa đất số {parcel}, tờ bản đồ số {sheet} để thực hiện {project}.",
         "Gia đình tôi có {area} m² đất ở thuộc thửa đất số {parcel}, tờ bản đồ số {sheet} nằm trong phạm vi thu hồi của {project} "
         "theo Quyết định số {recover} ngày {recover_date}."),
        ("Phương án bồi thường chỉ áp đơn giá {price} đồng/m², trong khi giá chuyển nhượng thực tế tại khu vực là khoảng {market} "
         "đồng/m². Tổng số tiền bồi thường {total} đồng là quá thấp so với thiệt hại thực tế.",
         "Đơn giá bồi thường {price} đồng/m² không phù hợp với giá đất thị trường (khoảng {market} đồng/m²), tổng số tiền {total} "
         "đồng không đủ để gia đình tôi mua được chỗ ở mới tương đương.",
         "Phương án chỉ bố trí tái định cư {resettle} căn hộ, trong khi gia đình tôi có ba thế hệ cùng chung sống, không đủ chỗ ở."),
        ("Ngày {meeting_date}, tại buổi đối thoại với Ban bồi thường giải phóng mặt bằng quận {district}, tôi đã nêu ý kiến nhưng "
         "không được tiếp thu.",
         "Gia đình tôi không phản đối chủ trương thu hồi đất để xây dựng công trình công cộng, nhưng đề nghị việc bồi thường phải "
         "công khai, minh bạch, đúng quy định."),
    ),
    requests=(
        "Tôi đề nghị {ub_quan} xem xét điều chỉnh đơn giá bồi thường sát với giá thị trường và sửa đổi Quyết định số {decision} "
        "cho phù hợp với quy định của Luật Đất đai.",
        "Tôi đề nghị cơ quan có thẩm quyền xem xét lại phương án bồi thường, bố trí tái định cư phù hợp và trả lời bằng văn bản "
        "cho gia đình tôi.",
    ),
    recipients=("Chủ tịch {ub_quan}", "{ub_quan}", "Ban Bồi thường, giải phóng mặt bằng quận {district}",
                "Ủy ban nhân dân thành phố Hà Nội"),
    attachments=("Bản sao Quyết định thu hồi đất số {recover};", "Bản sao Quyết định số {decision};",
                 "Bảng tính chi tiết giá trị bồi thường."),
))

_add(Topic(
    key="bhxh", subject="giải quyết chế độ bảo hiểm xã hội",
    kinds=("kien_nghi", "khieu_nai", "phan_anh"), facts=_facts_insurance,
    intro={
        "kien_nghi": ("Tôi làm đơn này kiến nghị về việc giải quyết chế độ {benefit} của tôi bị chậm trễ do {company} nợ bảo hiểm xã hội.",
                      "Tôi xin kiến nghị cơ quan có thẩm quyền xem xét việc chốt sổ và giải quyết chế độ {benefit} cho tôi."),
        "khieu_nai": ("Tôi làm đơn này khiếu nại Văn bản số {ref} của cơ quan bảo hiểm xã hội về việc từ chối giải quyết chế độ {benefit} cho tôi.",),
        "phan_anh": ("Tôi làm đơn này phản ánh việc {company} không đóng bảo hiểm xã hội cho người lao động trong nhiều tháng.",),
    },
    slots=(
        ("Tôi làm việc tại {company} từ năm {from_m}, mã số bảo hiểm xã hội {bhxh}. Hằng tháng công ty vẫn trừ tiền bảo hiểm "
         "vào lương của tôi theo đúng tỷ lệ quy định.",
         "Tôi là người lao động của {company}, có mã số bảo hiểm xã hội {bhxh}, tham gia bảo hiểm xã hội bắt buộc liên tục từ {from_m}."),
        ("Tuy nhiên, từ tháng {from_m} đến tháng {to_m}, công ty đã không nộp tiền bảo hiểm xã hội cho cơ quan bảo hiểm, nợ tổng "
         "cộng {owed} tháng với số tiền khoảng {amount} đồng.",
         "Khi tôi nộp hồ sơ hưởng chế độ {benefit} ngày {app_date}, cơ quan bảo hiểm xã hội trả lời rằng quá trình đóng của tôi "
         "bị gián đoạn {owed} tháng do công ty chưa đóng tiền."),
        ("Tôi đã nhiều lần liên hệ với ban giám đốc công ty nhưng chỉ nhận được lời hứa sẽ đóng bù, đến nay vẫn chưa thực hiện.",
         "Ngày {prior_date}, tôi đã có đơn gửi công ty và Bảo hiểm xã hội quận {district} nhưng chưa được giải quyết."),
    ),
    requests=(
        "Tôi đề nghị cơ quan có thẩm quyền yêu cầu {company} đóng đủ số tiền bảo hiểm xã hội còn nợ, chốt sổ và giải quyết chế độ "
        "{benefit} cho tôi theo quy định.",
        "Tôi đề nghị Bảo hiểm xã hội thành phố Hà Nội xem xét lại Văn bản số {ref} và giải quyết chế độ {benefit} cho tôi.",
    ),
    recipients=("Bảo hiểm xã hội thành phố Hà Nội", "Sở Nội vụ thành phố Hà Nội", "{ub_quan}"),
    attachments=("Bản sao sổ bảo hiểm xã hội;", "Bản sao hợp đồng lao động;", "Bản sao Văn bản số {ref}."),
))

_add(Topic(
    key="can_bo", subject="thái độ, hành vi của cán bộ {ub_phuong}",
    kinds=("to_cao", "phan_anh"), facts=_facts_official,
    intro={
        "to_cao": ("Tôi làm đơn này tố cáo ông (bà) {official}, {role} {ub_phuong}, đã có hành vi gây khó khăn, sách nhiễu "
                   "khi tôi làm thủ tục {procedure}.",
                   "Tôi xin tố cáo hành vi nhũng nhiễu, đòi tiền ngoài quy định của ông (bà) {official}, {role} {ub_phuong}."),
        "phan_anh": ("Tôi làm đơn này phản ánh thái độ làm việc thiếu trách nhiệm của cán bộ {ub_phuong} trong việc giải "
                     "quyết thủ tục {procedure} của gia đình tôi.",),
    },
    slots=(
        ("Ngày {event_date}, tôi đến bộ phận một cửa của {ub_phuong} để làm thủ tục {procedure}. Hồ sơ của tôi đã đầy đủ theo "
         "hướng dẫn niêm yết công khai.",
         "Tôi đã {visits} lần đến {ub_phuong} để làm thủ tục {procedure}, lần gần nhất vào ngày {event_date}."),
        ("Ông (bà) {official} không tiếp nhận hồ sơ, yêu cầu bổ sung nhiều giấy tờ không có trong quy định và gợi ý nếu muốn "
         "nhanh thì phải nộp thêm {sum} đồng.",
         "Cán bộ tiếp nhận có thái độ quát nạt, không hướng dẫn cụ thể mà chỉ nói hồ sơ chưa đạt, bắt tôi đi lại nhiều lần.",
         "Sau khi nhận hồ sơ, cán bộ không viết phiếu hẹn, đến hạn thì nói hồ sơ bị thất lạc và yêu cầu tôi làm lại từ đầu."),
        ("Việc làm trên trái với quy định về văn hóa công vụ và quy chế tiếp công dân, làm giảm lòng tin của nhân dân vào chính "
         "quyền địa phương.",
         "Nhiều người dân khác trong phường cũng gặp tình trạng tương tự nhưng ngại va chạm nên không dám phản ánh."),
    ),
    requests=(
        "Tôi đề nghị Chủ tịch {ub_quan} chỉ đạo xác minh, làm rõ và xử lý nghiêm cán bộ có sai phạm, đồng thời giải quyết thủ tục "
        "{procedure} cho tôi đúng thời hạn.",
        "Tôi đề nghị {ub_phuong} chấn chỉnh thái độ làm việc của cán bộ bộ phận một cửa và thông báo kết quả xử lý cho tôi.",
    ),
    recipients=("Chủ tịch {ub_quan}", "{ub_quan}", "Thanh tra quận {district}", "Chủ tịch {ub_phuong}"),
    attachments=("Bản sao hồ sơ đã nộp;", "Ghi âm cuộc trao đổi ngày {event_date}."),
))

_add(Topic(
    key="chung_cu", subject="bàn giao quỹ bảo trì phần sở hữu chung {tower}",
    kinds=("kien_nghi", "phan_anh"), facts=_facts_building,
    intro={
        "kien_nghi": ("Tôi là chủ sở hữu căn hộ {apartment}, {tower}, làm đơn này kiến nghị về việc chủ đầu tư chậm bàn giao quỹ "
                      "bảo trì phần sở hữu chung.",),
        "phan_anh": ("Tôi làm đơn này phản ánh việc {developer} chưa bàn giao quỹ bảo trì 2% cho Ban quản trị {tower}.",
                     "Thay mặt nhiều hộ dân đang sinh sống tại {tower}, tôi xin phản ánh những bất cập trong công tác quản lý, vận hành tòa nhà."),
    },
    slots=(
        ("{tower} do {developer} làm chủ đầu tư, bàn giao căn hộ cho cư dân từ năm {handover}, hiện có khoảng {households} hộ sinh sống.",
         "Gia đình tôi nhận bàn giao căn hộ {apartment} từ năm {handover} và đã nộp đầy đủ kinh phí bảo trì 2% giá trị căn hộ cho chủ đầu tư."),
        ("Hội nghị nhà chung cư ngày {meeting_date} đã bầu ra Ban quản trị, nhưng chủ đầu tư vẫn chưa bàn giao quỹ bảo trì với số "
         "tiền khoảng {fund} đồng.",
         "Đến nay chủ đầu tư mới bàn giao một phần quỹ bảo trì, còn lại khoảng {fund} đồng chưa được quyết toán, minh bạch."),
        ("Thang máy thường xuyên hỏng, hệ thống phòng cháy chữa cháy xuống cấp nhưng không có kinh phí sửa chữa, gây nguy hiểm cho cư dân.",
         "Việc chậm bàn giao quỹ khiến Ban quản trị không có kinh phí bảo trì hệ thống thang máy, máy bơm và phòng cháy chữa cháy."),
    ),
    requests=(
        "Tôi đề nghị {ub_quan} và Sở Xây dựng Hà Nội yêu cầu {developer} bàn giao đầy đủ quỹ bảo trì {fund} đồng cho Ban quản trị {tower}.",
        "Tôi đề nghị cơ quan có thẩm quyền tổ chức đối thoại giữa chủ đầu tư và cư dân, thực hiện cưỡng chế bàn giao quỹ bảo trì theo quy định.",
    ),
    recipients=("Sở Xây dựng Hà Nội", "{ub_quan}", "{ub_phuong}"),
    attachments=("Biên bản Hội nghị nhà chung cư ngày {meeting_date};", "Danh sách chữ ký của cư dân."),
))

# Offices that citizens add as a second recipient "for follow-up".
EXTRA_RECIPIENTS = ("Ban Tiếp công dân thành phố Hà Nội", "Thanh tra thành phố Hà Nội",
                    "Ủy ban nhân dân thành phố Hà Nội")
