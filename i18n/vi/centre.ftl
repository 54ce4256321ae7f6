# Các trang web của máy chủ trung tâm (centre serve).

web-language-name = Tiếng Việt
web-skip = Bỏ qua, đến nội dung chính
web-nav = Điều hướng
web-nav-overview = Tổng quan
web-nav-password = Đổi mật khẩu
web-nav-logout = Đăng xuất
web-footer = hailong: đo lường sự hài lòng người bệnh so với mục tiêu 95 %.
web-back-home = Về trang đầu

web-login-title = Đăng nhập
web-login-name = Tên đăng nhập
web-login-password = Mật khẩu
web-login-submit = Đăng nhập
web-login-refused = Tên đăng nhập hoặc mật khẩu không đúng.
web-login-throttled = Có quá nhiều lần đăng nhập sai. Vui lòng thử lại sau { $minutes } phút.

web-password-title = Đổi mật khẩu
web-password-current = Mật khẩu hiện tại
web-password-new = Mật khẩu mới
web-password-again = Nhập lại mật khẩu mới
web-password-submit = Đổi mật khẩu
web-password-mismatch = Hai lần nhập mật khẩu mới không giống nhau.
web-password-length = Mật khẩu mới phải dài từ { $min } đến { $max } ký tự.
web-password-wrong = Mật khẩu hiện tại không đúng.

web-error-not-found = Không tìm thấy trang này
web-error-forbidden = Tài khoản của bạn không được xem trang này
web-error-csrf = Biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.
web-error-bad-request = Yêu cầu không hợp lệ
web-error-internal = Máy chủ gặp lỗi. Vui lòng thử lại sau hoặc báo cho bộ phận CNTT.
web-error-form = Biểu mẫu gửi lên không đầy đủ.
web-error-date = Ngày ở ô “{ $field }” không đúng dạng (năm-tháng-ngày).
web-error-period = Ô “{ $field }” không có kỳ “{ $value }”: hãy chọn một kỳ trong danh sách, hoặc nhập từ ngày, đến ngày.
web-error-dates-order = Ngày bắt đầu phải trước ngày kết thúc.
web-error-too-large = Nội dung gửi lên quá lớn.
web-error-too-slow = Nội dung gửi lên đến quá chậm nên đã bị dừng. Vui lòng thử lại.
web-error-control = Ô “{ $field }” chứa ký tự không hợp lệ.
web-error-address = Địa chỉ trang chứa ký tự không hợp lệ.
web-facility-taken = “{ $name }” có cùng địa chỉ trang (/facility/{ $slug }) với cơ sở “{ $existing }”: hãy dùng đúng tên đó, hoặc một tên khác hẳn (không chỉ khác dấu, chữ hoa hay dấu câu).
web-admin-unknown-facility = Trung tâm chưa có cơ sở “{ $facility }” (cơ sở có từ khi đăng ký ki-ốt đầu tiên).

web-period-label = Kỳ báo cáo
web-period-or = hoặc
web-period-from = Từ ngày
web-period-to = Đến ngày
web-period-show = Xem
web-period-all = Toàn bộ thời gian
web-period-since = từ { $day }
web-period-until = đến { $day }
web-period-year = Năm { $year }
web-period-h1 = 6 tháng đầu năm { $year }
web-period-h2 = 6 tháng cuối năm { $year }
web-period-9m = 9 tháng đầu năm { $year }
web-period-quarter = Quý { $n }/{ $year }
web-period-month = Tháng { $n }/{ $year }


web-col-facility = Cơ sở
web-col-department = Khoa/phòng
web-col-kiosk = Ki-ốt
web-col-section = Phần
web-col-item = Mã
web-col-question = Câu hỏi
web-col-month = Tháng
web-col-quarter = Quý
web-col-responses = Số phiếu
web-col-answers = Số câu trả lời
web-col-rate = Tỷ lệ hài lòng
web-col-interval = Khoảng tin cậy 95 %
web-col-mean = Điểm trung bình
web-col-comprehensive = Hài lòng toàn diện
web-col-return = Sẽ quay lại
web-col-change = Thay đổi (điểm %)
web-col-needed = Câu hài lòng cần thêm để đạt { $target }
web-col-verdict = Kết luận
web-col-against-target = So với mục tiêu
web-col-last-sync = Lần gửi gần nhất
web-col-received = Phiếu đã nhận
web-col-waiting = Phiếu chờ gửi (theo ki-ốt báo lần gần nhất)
web-not-reported = không báo
web-col-gaps = Thiếu phiếu
web-col-tampers = Bị sửa
web-col-clock = Sai giờ
web-never = chưa bao giờ
web-no-department = (không ghi khoa)

web-chart-rates = Tỷ lệ hài lòng, với khoảng tin cậy 95 % và đường mục tiêu
web-table-caption = Xếp từ thấp nhất; kết luận dựa trên khoảng tin cậy 95 % so với mục tiêu.
web-overview-title = Tổng quan các cơ sở
web-overview-facility-title = { $facility }: các khoa/phòng
web-overview-compare = So sánh { $count } đơn vị
web-needed-note = “Số câu hài lòng cần thêm”: bao nhiêu câu trả lời hài lòng (mức 4–5) nữa, nếu tất cả đều hài lòng, thì tỷ lệ đạt { $target }.

web-facility-total = Toàn cơ sở
web-facility-department-only = Tài khoản của bạn xem số liệu của { $department }; mọi bảng dưới đây là của khoa/phòng này.
web-facility-compare-whole = Để so sánh, toàn cơ sở: { $rate } (n = { $n } câu trả lời).
web-scoped = { $what } · { $scope }
web-facility-counts = { $responses } phiếu được tính; { $partial } phiếu chưa hoàn thành; { $rapid } phiếu gửi lặp nhanh (không tính).
web-facility-departments = Theo khoa/phòng
web-facility-sections = Theo phần A–E
web-facility-weakest = { $count } câu có tỷ lệ hài lòng thấp nhất
web-facility-trend = Xu hướng theo tháng
web-facility-kiosks = Theo ki-ốt
web-facility-health = Tình trạng ki-ốt
web-facility-comments = Ý kiến mới nhất của người bệnh
web-facility-no-comments = Chưa có ý kiến nào trong kỳ này.
web-facility-to-case = Tạo hồ sơ phản ánh từ ý kiến này

web-public-title = Kết quả khảo sát hài lòng người bệnh: { $facility }
web-public-intro = Tỷ lệ người bệnh hài lòng (mức 4–5) theo từng quý, so với mục tiêu { $target }.
web-public-nothing = Chưa có kết quả để công bố.
web-public-quarters = Chín quý gần nhất
web-public-to-date = (đến { $day })
web-public-none = Chưa có phiếu
web-public-too-few = Chưa đủ số phiếu (n = { $n })
web-public-caution = dùng thận trọng (n = { $n })
web-public-sections = Theo phần, { $quarter }
web-public-departments = Theo khoa/phòng, quý gần nhất
web-public-departments-hidden = Khoa/phòng có dưới { $n } phiếu không được công bố (và một khoa/phòng khác được ẩn cùng nếu cần, để không suy ra được).
web-public-method = Phương pháp
web-public-version = phiên bản { $version }
web-public-formula = Tỷ lệ hài lòng = số câu trả lời mức 4 hoặc 5 chia cho số câu đã trả lời (không tính “không sử dụng”); mục tiêu { $target }; khoảng tin cậy 95 % theo phương pháp Wilson.
web-public-exclusions = Không tính các phiếu gửi lặp nhanh liên tiếp từ cùng một ki-ốt; hài lòng toàn diện chỉ tính trên phiếu hoàn thành.
web-public-small-numbers = Ô có dưới { $rate } phiếu chỉ ghi số phiếu; từ { $rate } đến dưới { $caution } phiếu cần dùng thận trọng; khoa/phòng dưới { $department } phiếu không công bố.
web-public-updated = Cập nhật ngày { $day }.
web-public-from-tomorrow = (số liệu từ ngày mai)
web-public-snapshot = Quý đang diễn ra được cập nhật mỗi ngày một lần, số liệu đến hết ngày hôm trước; quý đã kết thúc không thay đổi nữa. Ô đã ẩn trong một quý thì ẩn đến hết quý đó.
web-public-withheld-earlier = Không công bố trong quý này (đã ẩn từ đầu quý vì ít phiếu)
web-public-open-data = Tải dữ liệu mở (CSV: số câu trả lời theo từng mức điểm của từng câu hỏi)
web-public-share = Chia sẻ trang này
web-public-qr-alt = Mã QR dẫn đến trang kết quả này
web-public-embed = Nhúng vào trang web của cơ sở:

# hailong centre user …, centre serve
cli-centre-alerts-no-url = Có người nhận cảnh báo nhưng chưa đặt địa chỉ công khai của trung tâm: liên kết trong thư sẽ thiếu tên máy chủ. Chạy lại với --public-url https://địa-chỉ-của-trung-tâm.
cli-centre-no-accounts = Chưa có tài khoản nào để đăng nhập các trang web. Tạo tài khoản quản trị đầu tiên bằng lệnh: { $command }
cli-centre-public-thresholds = Ngưỡng trang công khai phải theo thứ tự --public-department-n ≤ --public-min-n ≤ --public-caution-n.
cli-user-password = Mật khẩu (ít nhất 10 ký tự)
cli-user-password-again = Nhập lại mật khẩu
cli-user-password-mismatch = Hai lần nhập mật khẩu không giống nhau; chưa lưu gì.
cli-user-unknown-role = Vai trò “{ $role }” không có; dùng admin, province, facility hoặc department.
cli-user-unknown-facility = Trung tâm chưa biết cơ sở “{ $facility }” (chưa có ki-ốt nào đăng ký). Tên gần giống: { $close }
cli-user-added = Đã tạo tài khoản { $name } (vai trò { $role }).
cli-user-active = đang dùng
cli-user-disabled = đã khoá từ { $date }
cli-user-unknown = Không có tài khoản “{ $name }”.
cli-user-no-facility = Trung tâm chưa có cơ sở “{ $facility }” (cơ sở có từ khi đăng ký ki-ốt đầu tiên: hailong centre kiosk add --facility …).
cli-facility-unknown = Không có cơ sở với tên đó (xem: hailong centre facility list).
cli-facility-none = Chưa có cơ sở nào (cơ sở có từ khi đăng ký ki-ốt đầu tiên).
cli-facility-renamed = Đã đổi tên “{ $from }” thành “{ $to }”; tài khoản, ý kiến (có ghi nhật ký), báo cáo và số liệu công khai đi theo.
cli-facility-merged = Đã gộp “{ $from }” vào “{ $into }”: ki-ốt, phiếu, số liệu, tài khoản, ý kiến (có ghi nhật ký) và báo cáo nay thuộc “{ $into }”.
cli-user-unlocked = Đã mở khóa “{ $who }”: xóa { $count } bộ đếm đăng nhập sai; có thể đăng nhập lại ngay.

# Báo cáo quý gửi Sở Y tế
quarterly-authority = SỞ Y TẾ ……
quarterly-number = Số: …/BC-…
quarterly-nation = CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM
quarterly-motto = Độc lập – Tự do – Hạnh phúc
quarterly-place-date = { $place }, ngày { $day } tháng { $month } năm { $year }
quarterly-title = BÁO CÁO
quarterly-subtitle = Kết quả khảo sát sự hài lòng người bệnh { $period }
quarterly-to-named = Kính gửi: { $authority }
quarterly-to = Kính gửi: Sở Y tế ……
quarterly-part-1 = I. TRIỂN KHAI THỰC HIỆN
quarterly-deployed = Đơn vị khảo sát bằng ki-ốt thông minh đặt tại nơi tiếp đón ({ $kiosks } ki-ốt), theo các mẫu phiếu:
quarterly-part-2 = II. KẾT QUẢ KHẢO SÁT
quarterly-by-form = 1. Số phiếu theo kênh và mẫu phiếu
quarterly-overall = 2. Chỉ số chung
quarterly-by-department = 3. Tỷ lệ hài lòng theo khoa/phòng và theo nhóm A–E
quarterly-items = 4. Tỷ lệ (%) từng mức điểm của từng câu hỏi (1 = rất không hài lòng … 5 = rất hài lòng)
quarterly-part-3 = III. NHẬN XÉT THEO NĂM NHÓM TIÊU CHÍ
quarterly-part-4 = IV. TỒN TẠI, HẠN CHẾ VÀ GIẢI PHÁP
quarterly-actions-empty = (Đơn vị ghi tồn tại, hạn chế và giải pháp khắc phục.)
quarterly-recipients = Nơi nhận:
quarterly-recipient-1 = - Sở Y tế (để báo cáo);
quarterly-recipient-2 = - Lưu: VT, QLCL.
quarterly-signer = GIÁM ĐỐC
quarterly-sign-here = (Ký, ghi rõ họ tên, đóng dấu)
quarterly-rate = Tỷ lệ hài lòng chung
quarterly-verdict = Kết luận so với mục tiêu { $target }
quarterly-mean = Điểm trung bình
quarterly-comprehensive = Tỷ lệ hài lòng toàn diện
quarterly-expectation = Mức đáp ứng so với mong đợi
quarterly-return = Tỷ lệ sẽ quay lại hoặc giới thiệu
quarterly-col-form = Mẫu phiếu
quarterly-col-channel = Kênh
quarterly-col-responses = Số phiếu
quarterly-col-figure = Chỉ số
quarterly-col-value = Kết quả
quarterly-col-department = Khoa/phòng
quarterly-col-rate = Hài lòng chung
quarterly-col-code = Mã
quarterly-col-question = Câu hỏi
quarterly-col-not-used = Không sử dụng
quarterly-channel-kiosk = Ki-ốt tại nơi tiếp đón
quarterly-remark-met = { $section }: { $rate } ({ $n } câu trả lời), đạt mục tiêu { $target }; câu thấp nhất: { $weakest }.
quarterly-remark-not-met = { $section }: { $rate } ({ $n } câu trả lời), chưa đạt mục tiêu { $target }; cần cải thiện trước hết: { $weakest }.
quarterly-remark-unsettled = { $section }: { $rate } ({ $n } câu trả lời) so với mục tiêu { $target }: { $verdict }. Câu thấp nhất: { $weakest }.
quarterly-remark-none = { $section }: chưa có câu trả lời trong kỳ.
quarterly-download-docx = Tải bản Word (.docx) để chỉnh sửa và ký
quarterly-print-hint = In trang này (Ctrl+P → Lưu thành PDF) để có bản A4.
quarterly-edit-actions = Sửa phần IV
quarterly-save = Lưu phần IV
quarterly-too-long = Phần IV dài quá 8000 ký tự.
web-facility-report = Báo cáo quý gửi Sở Y tế
web-export-label = Tải các phiếu trả lời của trang này:
web-export-csv = CSV
web-export-xlsx = Excel (.xlsx)
web-export-too-many-rows = { $count } phiếu không vừa một trang tính Excel (tối đa 1.048.575 dòng): hãy chọn khoảng thời gian ngắn hơn, hoặc tải tệp CSV.

# Quản trị (/admin)
web-nav-admin = Quản trị
web-admin-title = Quản trị ki-ốt và tài khoản
web-admin-kiosks = Ki-ốt
web-admin-kiosk-id = Mã ki-ốt
web-admin-state = Trạng thái
web-admin-actions = Thao tác
web-admin-active = đang dùng
web-admin-revoked = thu hồi lúc { $date }
web-admin-disabled = khoá lúc { $date }
web-admin-revoke = Thu hồi
web-admin-renew = Cấp mã mới
web-admin-enrol = Đăng ký ki-ốt
web-admin-users = Tài khoản
web-admin-role = Vai trò
web-admin-add-user = Thêm tài khoản
web-admin-disable = Khoá
web-admin-facility-if = Cơ sở (với vai trò cơ sở hoặc khoa/phòng)
web-admin-department-if = Khoa/phòng (với vai trò khoa/phòng)
web-admin-token-once = Mã của ki-ốt { $kiosk } ({ $facility }) chỉ hiện một lần: dán khối dưới đây vào tệp hailong.toml của ki-ốt.
web-role-admin = Quản trị
web-role-province = Sở Y tế (xem mọi cơ sở)
web-role-facility = Cơ sở (giám đốc, phòng QLCL, điều dưỡng)
web-role-department = Khoa/phòng

web-nav-feedback = Hòm thư góp ý
web-admin-leader = Lãnh đạo cơ sở (duyệt, công khai trả lời; xem danh tính người tố cáo)
web-admin-leader-short = lãnh đạo
cli-user-leader = lãnh đạo
cli-feedback-no-holidays = Lịch ngày nghỉ lễ không có năm { $year }: hạn xử lý góp ý năm đó chỉ bỏ qua thứ Bảy, Chủ nhật. Thêm năm vào tệp [feedback] holidays (xem docs/feedback.md).

## account checks (accounts::AccountProblem)
account-name-length = Tên đăng nhập (--name) phải có từ 1 đến 64 ký tự.
account-name-characters = Tên đăng nhập (--name) không được có dấu cách hay ký tự điều khiển.
account-leader-role = Chỉ tài khoản cơ sở (facility) mới là lãnh đạo (--leader); tài khoản này là { $role }.
account-facility-missing = Tài khoản { $role } thuộc về một cơ sở: hãy ghi cơ sở (--facility).
account-facility-not-wanted = Tài khoản { $role } xem mọi cơ sở: không ghi cơ sở (--facility).
account-department-missing = Tài khoản khoa/phòng (department) thuộc về một khoa/phòng: hãy ghi khoa/phòng (--department).
account-department-not-wanted = Chỉ tài khoản khoa/phòng mới có khoa/phòng (--department); tài khoản này là { $role }.
account-password-short = Mật khẩu phải có ít nhất { $min } ký tự.
account-password-long = Mật khẩu không được dài quá { $max } ký tự.
