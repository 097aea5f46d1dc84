"""The handbook's starting pages, drawn from the domain guide (shared/DOMAIN.md) and
citing the documents it cites. Where the guide marks a point as unverified, the page
says it is common practice, to be checked against the current guidance.

`seed_handbook()` is idempotent: a page whose slug exists is left as it is (an
administrator may have edited it).
"""

from __future__ import annotations

from django.db import transaction

from sotay.core.richtext import sanitize
from sotay.handbook.models import Page
from sotay.handbook.services import _derive

CHECK = (
    "Nội dung trong sổ tay là hướng dẫn tóm tắt; khi áp dụng, đối chiếu văn bản gốc và "
    "hướng dẫn hiện hành của cấp ủy cấp trên."
)

# (slug, parent slug, title, summary, body, sources)
PAGES: list[tuple[str, str | None, str, str, str, str]] = [
    (
        "su-dung-so-tay",
        None,
        "Sử dụng Sổ tay",
        "Các mục chính của ứng dụng và cách giữ an toàn cho tài khoản.",
        """
<h2>Các mục chính</h2>
<ul>
<li><strong>Trang chủ</strong>: thông báo mới và lối tắt tới các mục bạn được dùng.</li>
<li><strong>Văn bản</strong>: nghị quyết, chỉ thị, hướng dẫn gửi tới chi bộ của bạn và các cấp
trên. Gõ số hiệu (ví dụ 52-NQ/TW) hoặc vài chữ trong tên, gõ không dấu cũng được. Bấm
<em>Đọc sau</em> để lưu văn bản đọc lại.</li>
<li><strong>Sổ tay nghiệp vụ</strong>: các trang hướng dẫn này. Ô tìm kiếm dùng cùng quy tắc
với mục Văn bản.</li>
<li><strong>Tổ chức đảng</strong>: cây tổ chức đảng và trang của chi bộ bạn sinh hoạt.</li>
<li><strong>Hồ sơ của tôi</strong>: thông tin đảng viên của bạn và lịch sử sinh hoạt.</li>
<li><strong>Thông báo</strong>: tin của cấp ủy gửi tới bạn.</li>
</ul>
<h2>Giữ an toàn tài khoản</h2>
<p>Hồ sơ đảng viên là thông tin cần bảo mật. Ứng dụng chỉ hỏi mật khẩu ở trang đăng nhập của
chính nó: không nhập mật khẩu vào đường dẫn lạ, tin nhắn hay ứng dụng giả mạo. Tài khoản của
cấp ủy viên nên bật xác thực hai lớp.</p>
<h2>Khi cần giúp đỡ</h2>
<p>Liên hệ bí thư chi bộ hoặc văn phòng cấp ủy phụ trách chi bộ của bạn.</p>
""",
        "Quy định 339-QĐ/TW (10/07/2025) về ứng dụng Sổ tay đảng viên điện tử: đọc văn bản, "
        "lưu văn bản đọc sau, bảo đảm an toàn, bảo mật thông tin, dữ liệu của Đảng và "
        "đảng viên.",
    ),
    (
        "cong-tac-dang-vien",
        None,
        "Công tác đảng viên",
        "Các mốc của một đảng viên từ khi kết nạp, và các tình trạng sinh hoạt đảng.",
        """
<h2>Ba ngày cần phân biệt khi kết nạp</h2>
<ul>
<li><strong>Ngày có quyết định kết nạp</strong>: tuổi đảng tính từ ngày này.</li>
<li><strong>Ngày tổ chức lễ kết nạp</strong>: là ngày vào Đảng, bắt đầu 12 tháng dự bị.</li>
<li><strong>Ngày chính thức</strong>: bằng ngày vào Đảng cộng 12 tháng khi được công nhận, dù
quyết định công nhận có muộn hơn.</li>
</ul>
<h2>Các tình trạng</h2>
<ul>
<li>Đảng viên dự bị; đảng viên chính thức.</li>
<li>Miễn công tác và sinh hoạt đảng (do chi bộ quyết định).</li>
<li>Chuyển sinh hoạt tạm thời; chuyển sinh hoạt chính thức.</li>
<li>Xóa tên, khai trừ, từ trần.</li>
</ul>
<p>Nơi đảng viên đang sinh hoạt (chính thức hay tạm thời) được ghi riêng, không phải là một
tình trạng.</p>
<h2>Hồ sơ đảng viên</h2>
<p>Hồ sơ đảng viên là tài liệu cần bảo mật. Mọi thay đổi phải có căn cứ và được cấp ủy có thẩm
quyền đồng ý bằng văn bản; hệ thống ghi lại ai sửa, khi nào, vì sao.</p>
""",
        "Điều lệ Đảng; QĐ 29, mục 4.1–4.2 (ngày vào Đảng, ngày chính thức). " + CHECK,
    ),
    (
        "ket-nap-dang-vien",
        "cong-tac-dang-vien",
        "Kết nạp đảng viên",
        "Các bước từ biểu quyết ở chi bộ tới lễ kết nạp, và các mốc thời gian cần ghi.",
        """
<h2>Các bước</h2>
<ol>
<li>Chi bộ họp xét đề nghị kết nạp. Chỉ đảng viên chính thức được biểu quyết.</li>
<li>Nghị quyết đề nghị kết nạp cần ít nhất <strong>hai phần ba (⅔)</strong> số đảng viên chính
thức tán thành.</li>
<li>Nếu chưa đủ, chi bộ được biểu quyết tối đa 3 lần; sau đó báo cáo cấp trên xem xét.</li>
<li>Cấp ủy có thẩm quyền ra quyết định kết nạp. Ghi lại ngày quyết định: tuổi đảng tính từ
ngày này.</li>
<li>Chi bộ tổ chức lễ kết nạp. Ngày lễ là ngày vào Đảng và là ngày bắt đầu 12 tháng dự bị.</li>
</ol>
<h2>Trong thời gian dự bị</h2>
<p>Đảng viên dự bị sinh hoạt và đóng đảng phí như mọi đảng viên, nhưng không biểu quyết, không
ứng cử và không bầu cử.</p>
<h2>Ghi vào hệ thống</h2>
<p>Bí thư chi bộ hoặc văn phòng cấp ủy ghi sự kiện kết nạp với ngày quyết định và ngày lễ; hệ
thống tự tính ngày hết hạn dự bị.</p>
""",
        "Điều lệ Đảng, Điều 3 (quyền của đảng viên dự bị); QĐ 29, mục 4.1–4.2 (các mốc ngày); "
        "QĐ 24, mục 9.3 (tỉ lệ biểu quyết). " + CHECK,
    ),
    (
        "cong-nhan-dang-vien-chinh-thuc",
        "cong-tac-dang-vien",
        "Công nhận đảng viên chính thức",
        "Hết 12 tháng dự bị, chi bộ phải xét công nhận trong 30 ngày làm việc.",
        """
<h2>Thời hạn</h2>
<p>Khi hết 12 tháng dự bị, chi bộ phải xem xét công nhận đảng viên chính thức trong vòng
<strong>30 ngày làm việc</strong>.</p>
<h2>Biểu quyết</h2>
<ul>
<li>Cần ít nhất <strong>hai phần ba (⅔)</strong> số đảng viên chính thức của chi bộ tán thành.</li>
<li>Tối đa 3 lần biểu quyết; sau đó báo cáo cấp trên xem xét.</li>
</ul>
<h2>Ngày chính thức</h2>
<p>Ngày chính thức là ngày vào Đảng cộng 12 tháng, kể cả khi quyết định công nhận được ban
hành muộn hơn.</p>
""",
        "QĐ 29, mục 4.1–4.2; QĐ 24, mục 9.3. " + CHECK,
    ),
    (
        "chuyen-sinh-hoat-dang",
        "cong-tac-dang-vien",
        "Chuyển sinh hoạt đảng",
        "Chuyển tạm thời và chuyển chính thức: thời hạn và điều cần ghi.",
        """
<h2>Chuyển sinh hoạt tạm thời</h2>
<p>Khi đảng viên đi công tác, làm việc ở nơi khác từ 3 tháng đến dưới 1 năm (đi học có thể tới
2 năm). Đảng viên vẫn thuộc chi bộ gốc; nơi sinh hoạt tạm thời được ghi riêng.</p>
<h2>Chuyển sinh hoạt chính thức</h2>
<ul>
<li>Hoàn thành thủ tục trong vòng 60 ngày làm việc.</li>
<li>Đảng viên nộp giấy giới thiệu sinh hoạt đảng cho nơi đến trong vòng 30 ngày.</li>
</ul>
<h2>Ghi vào hệ thống</h2>
<p>Bí thư chi bộ hoặc văn phòng cấp ủy ghi sự kiện chuyển đi, chuyển đến; trong lúc đang
chuyển, hồ sơ vẫn có đầy đủ lịch sử.</p>
""",
        "Tổng hợp từ các quy định thi hành Điều lệ Đảng về chuyển sinh hoạt đảng. " + CHECK,
    ),
    (
        "mien-sinh-hoat",
        "cong-tac-dang-vien",
        "Miễn công tác và sinh hoạt đảng",
        "Chi bộ quyết định; đảng viên được miễn không bị xếp loại.",
        """
<h2>Ai quyết định</h2>
<p>Chi bộ quyết định việc miễn công tác và sinh hoạt đảng cho đảng viên.</p>
<h2>Hệ quả</h2>
<ul>
<li>Đảng viên được miễn không tham gia đánh giá, xếp loại chất lượng hằng năm.</li>
<li>Trong biểu quyết: đảng viên được miễn mà <strong>vắng mặt</strong> không tính vào số đảng
viên dùng để tính tỉ lệ; nếu có mặt và biểu quyết thì được tính.</li>
<li>Đảng viên được miễn không có trong ứng dụng toàn quốc.</li>
</ul>
""",
        "QĐ 24, mục 9.3 (cách tính tỉ lệ biểu quyết); Quy định 366-QĐ/TW (đánh giá, xếp loại). "
        + CHECK,
    ),
    (
        "thu-nop-dang-phi",
        "cong-tac-dang-vien",
        "Thu nộp đảng phí",
        "Đóng hằng tháng, kể cả đảng viên dự bị; mức đóng và các trường hợp miễn, giảm.",
        """
<h2>Cách đóng</h2>
<p>Đảng viên, kể cả đảng viên dự bị, đóng đảng phí hằng tháng: qua Cổng dịch vụ công quốc gia
hoặc nộp tiền mặt cho chi bộ.</p>
<h2>Mức đóng</h2>
<table>
<thead><tr><th>Đối tượng</th><th>Mức đóng hằng tháng</th></tr></thead>
<tbody>
<tr><td>Hưởng tiền lương đóng bảo hiểm xã hội</td><td>1% tiền lương làm căn cứ đóng bảo hiểm xã hội</td></tr>
<tr><td>Hưởng lương hưu</td><td>0,5% lương hưu</td></tr>
<tr><td>Học sinh, sinh viên</td><td>5.000 đồng</td></tr>
<tr><td>Đảng viên khác</td><td>0,3% mức lương tối thiểu vùng (0,2% nếu đã quá tuổi nghỉ hưu)</td></tr>
</tbody>
</table>
<p>Quy định có lộ trình điều chỉnh mức đóng từ năm 2028: kiểm tra mức đang áp dụng.</p>
<h2>Miễn, giảm</h2>
<ul>
<li>Miễn: đảng viên có từ 50 năm tuổi đảng trở lên, người hưởng trợ cấp hưu trí xã hội, hộ
nghèo (khi có đơn đề nghị).</li>
<li>Giảm 30%, 50% hoặc 70% trong tối đa 12 tháng.</li>
</ul>
<h2>Lưu ý</h2>
<p>Bỏ đóng đảng phí 3 tháng trong năm mà không có lý do chính đáng là một trường hợp bị xem xét
xóa tên.</p>
""",
        "Quy định 01-QĐ/TW (03/02/2026) về đảng phí. " + CHECK,
    ),
    (
        "danh-gia-xep-loai-chat-luong",
        "cong-tac-dang-vien",
        "Đánh giá, xếp loại chất lượng",
        "Thang 100 điểm và bốn mức xếp loại đảng viên hằng năm.",
        """
<h2>Thang điểm</h2>
<p>Tổng 100 điểm: <strong>30 điểm</strong> tiêu chí chung và <strong>70 điểm</strong> kết quả
thực hiện nhiệm vụ. Đảng viên tự đánh giá theo mẫu 2A, 2B hoặc 2C tùy đối tượng.</p>
<h2>Các mức xếp loại</h2>
<table>
<thead><tr><th>Mức</th><th>Điều kiện</th></tr></thead>
<tbody>
<tr><td>Hoàn thành xuất sắc nhiệm vụ</td><td>Từ 90 điểm và ít nhất 30% nhiệm vụ vượt yêu cầu</td></tr>
<tr><td>Hoàn thành tốt nhiệm vụ</td><td>Từ 70 đến dưới 90 điểm</td></tr>
<tr><td>Hoàn thành nhiệm vụ</td><td>Từ 50 đến dưới 70 điểm</td></tr>
<tr><td>Không hoàn thành nhiệm vụ</td><td>Dưới 50 điểm</td></tr>
</tbody>
</table>
<h2>Lưu ý</h2>
<ul>
<li>Đảng viên được miễn công tác và sinh hoạt đảng không xếp loại.</li>
<li>Một quy định trước đây giới hạn số “hoàn thành xuất sắc” không quá 20% số “hoàn thành
tốt” trong mỗi tổ chức cơ sở đảng: kiểm tra hướng dẫn hiện hành của cấp trên về tỉ lệ.</li>
<li>Tổ chức đảng cũng được xếp loại, do ban thường vụ cấp ủy cấp trên thực hiện.</li>
</ul>
""",
        "Quy định 366-QĐ/TW (30/08/2025); Hướng dẫn 43-HD/BTCTW. " + CHECK,
    ),
    (
        "sinh-hoat-chi-bo",
        None,
        "Sinh hoạt chi bộ",
        "Lịch, thời lượng và việc chuẩn bị một buổi sinh hoạt chi bộ.",
        """
<h2>Lịch sinh hoạt</h2>
<ul>
<li>Chi bộ sinh hoạt thường kỳ mỗi tháng một lần.</li>
<li>Sinh hoạt chuyên đề: thực tiễn phổ biến là mỗi quý một lần; kiểm tra hướng dẫn mới nhất.</li>
<li>Thời lượng ít nhất <strong>90 phút</strong>; ít nhất <strong>120 phút</strong> khi kết hợp
sinh hoạt thường kỳ với chuyên đề.</li>
</ul>
<h2>Chuẩn bị</h2>
<ul>
<li>Lịch và chủ đề của buổi sinh hoạt được nhập trước cuối tháng trước.</li>
<li>Tài liệu được đưa lên ứng dụng ít nhất <strong>1 ngày</strong> trước buổi sinh hoạt.</li>
<li>Thông báo cho đảng viên và cấp ủy viên cấp trên phụ trách chi bộ.</li>
</ul>
<h2>Tự chấm chất lượng buổi sinh hoạt</h2>
<p>Thực tiễn phổ biến (cần đối chiếu hướng dẫn của cấp trên): thang 100 điểm gồm thời gian 5,
tỉ lệ dự 5, chuẩn bị 10, điều hành 40, nguyên tắc 5, kết quả thực hiện nghị quyết kỳ trước 30,
kết thúc 5. Tốt từ 90, Khá từ 70 đến dưới 90, Trung bình từ 50 đến dưới 70, Kém dưới 50.</p>
""",
        "Hướng dẫn 42-HD/BTCTW (2025) về sinh hoạt chi bộ. " + CHECK,
    ),
    (
        "ghi-bien-ban-sinh-hoat-chi-bo",
        "sinh-hoat-chi-bo",
        "Ghi biên bản sinh hoạt chi bộ",
        "Những gì biên bản phải ghi, từ số đảng viên có mặt tới kết quả biểu quyết và chữ ký.",
        """
<h2>Thời gian, địa điểm</h2>
<p>Ghi địa điểm, giờ bắt đầu; cuối biên bản ghi giờ kết thúc.</p>
<h2>Số đảng viên</h2>
<ul>
<li>Tổng số đảng viên của chi bộ, chia ra: chính thức, dự bị, sinh hoạt tạm thời; kèm số được
miễn sinh hoạt và số chuyển sinh hoạt tạm thời đi nơi khác.</li>
<li>Số có mặt, chia như trên.</li>
<li>Số vắng mặt: ghi tên từng người, có lý do hay không có lý do.</li>
</ul>
<h2>Người điều hành</h2>
<p>Ghi chủ tọa, thư ký buổi sinh hoạt và khách mời.</p>
<h2>Diễn biến</h2>
<ul>
<li>Các nội dung (chương trình) của buổi sinh hoạt.</li>
<li>Ý kiến phát biểu của từng người.</li>
<li>Kết luận của chủ tọa.</li>
<li>Kết quả biểu quyết từng vấn đề (xem trang Biểu quyết và tỉ lệ tán thành).</li>
</ul>
<h2>Kết thúc</h2>
<p>Đọc lại biên bản trước khi bế mạc để chi bộ góp ý; chủ tọa và thư ký ký tên. Biên bản được
lưu lâu dài.</p>
""",
        "Hướng dẫn 42-HD/BTCTW (2025) về sinh hoạt chi bộ; các mục cần ghi tổng hợp theo thực "
        "tiễn ghi biên bản chi bộ. " + CHECK,
    ),
    (
        "bieu-quyet-va-ti-le-tan-thanh",
        "sinh-hoat-chi-bo",
        "Biểu quyết và tỉ lệ tán thành",
        "Ai được biểu quyết, cách tính số đảng viên làm mẫu số, khi nào cần quá nửa, khi nào ⅔.",
        """
<h2>Ai được biểu quyết</h2>
<p>Chỉ đảng viên chính thức được biểu quyết. Đảng viên dự bị không biểu quyết, không bầu cử và
không ứng cử.</p>
<h2>Mẫu số: tính trên bao nhiêu đảng viên</h2>
<p>Lấy tổng số đảng viên được triệu tập, <strong>trừ</strong>:</p>
<ul>
<li>đảng viên đã chuyển sinh hoạt tạm thời đi nơi khác;</li>
<li>đảng viên được miễn sinh hoạt mà vắng mặt (nếu có mặt và biểu quyết thì vẫn tính);</li>
<li>đảng viên đang bị đình chỉ sinh hoạt, bị truy tố, tạm giam;</li>
<li>đảng viên vắng mặt cả buổi có lý do được người triệu tập chấp nhận.</li>
</ul>
<h2>Tỉ lệ cần đạt</h2>
<ul>
<li>Nghị quyết thông thường: <strong>quá nửa</strong> số đảng viên tính như trên tán thành.</li>
<li>Kết nạp đảng viên, công nhận đảng viên chính thức: ít nhất <strong>hai phần ba (⅔)</strong>
số đảng viên chính thức; tối đa 3 lần biểu quyết, sau đó báo cáo cấp trên.</li>
</ul>
<h2>Bỏ phiếu kín</h2>
<p>Thực tiễn phổ biến: biểu quyết về nhân sự bằng phiếu kín. Kiểm tra hướng dẫn hiện hành.</p>
<h2>Ví dụ</h2>
<p>Chi bộ có 20 đảng viên được triệu tập; 1 người chuyển sinh hoạt tạm thời đi nơi khác, 1 người
được miễn sinh hoạt vắng mặt, 2 người vắng có lý do được chấp nhận. Mẫu số là 20 − 4 = 16;
nghị quyết cần ít nhất 9 người tán thành (quá nửa của 16).</p>
""",
        "Điều lệ Đảng, Điều 3; QĐ 24, mục 9.3. " + CHECK,
    ),
]


@transaction.atomic
def seed_handbook(updated_by=None) -> int:
    """Create the pages that are missing (published, in the order above). Returns how
    many were created."""
    existing = dict(Page.objects.values_list("slug", "pk"))
    created = 0
    for slug, parent_slug, title, summary, body, sources in PAGES:
        if slug in existing:
            continue
        parent_id = existing.get(parent_slug) if parent_slug else None
        position = Page.objects.filter(parent_id=parent_id).count() + 1
        page = Page(
            parent_id=parent_id,
            position=position,
            slug=slug,
            title=title,
            summary=summary,
            body=" ".join(body.split()).replace("> <", "><"),
            sources=sources,
            published=True,
            updated_by=updated_by,
        )
        # The text is the project's own, but it goes through the same sanitiser as an
        # administrator's edits.
        page.body = sanitize(page.body)
        _derive(page)
        page.save()
        existing[slug] = page.pk
        created += 1
    return created
