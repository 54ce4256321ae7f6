# hailong — màn hình kiosk cho người bệnh (Tiếng Việt, mặc định)

## Chào mừng
welcome-invite = Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn
welcome-start = Bắt đầu đánh giá
welcome-time = Chỉ mất chưa đến một phút. Không cần ghi tên.
welcome-phone = Trả lời trên điện thoại
welcome-phone-how = Quét mã bằng máy ảnh điện thoại. Mã đổi sau mỗi 30 giây.
welcome-language = Ngôn ngữ / Language
lang-vi = Tiếng Việt
lang-en = English

## Khoa/phòng
department-title = Ông/Bà vừa sử dụng dịch vụ ở khoa/phòng nào?

## Câu hỏi
progress = Câu { $current }/{ $total }
back = Quay lại
next = Tiếp tục
skip = Bỏ qua
recorded = Đã ghi nhận, xin cảm ơn
scale-1 = Rất không hài lòng
scale-2 = Không hài lòng
scale-3 = Bình thường
scale-4 = Hài lòng
scale-5 = Rất hài lòng
scale-not-used = Không sử dụng
percent-over = Trên 100 %
follow-up-hint = Có thể chọn nhiều lý do, rồi bấm “Tiếp tục”.

## Bàn phím
keyboard-placeholder = Chạm vào các phím bên dưới để viết ý kiến…
keyboard-space = Dấu cách
keyboard-delete = Xoá
keyboard-shift = Chữ hoa
keyboard-telex = Gõ có dấu
keyboard-plain = Gõ không dấu
keyboard-hint-telex = Gõ dấu kiểu Telex: aa → â, ow → ơ, dd → đ; s sắc, f huyền, r hỏi, x ngã, j nặng, z bỏ dấu
keyboard-hint-plain = Đang gõ không dấu
keyboard-count = { $count }/{ $max } ký tự
send = Gửi
other-title = Xin ghi rõ (không bắt buộc)

## Cảm ơn
thanks-title = Xin chân thành cảm ơn Ông/Bà!
thanks-body = Ý kiến của Ông/Bà đã được ghi nhận và sẽ giúp chúng tôi phục vụ tốt hơn.
thanks-qr = Quét mã để gửi thêm góp ý hoặc liên hệ đường dây nóng
thanks-done = Hoàn tất

## Chờ lâu không thao tác
idle-title = Ông/Bà còn đó không?
idle-body = Chạm vào màn hình để tiếp tục. Phiếu sẽ tự kết thúc sau { $seconds } giây.
idle-continue = Tôi vẫn ở đây

## Thông báo cho nhân viên
banner-save-failed = Chưa lưu được { $count } phiếu, đang thử lại: { $error }
error-title = Kiosk chưa thể khởi động
error-staff = Dành cho nhân viên: sửa lỗi dưới đây rồi khởi động lại ứng dụng.
error-way-out-pin = Để thoát: chạm 5 lần vào góc trên bên trái, rồi nhập mã PIN.
error-way-out-key = Để thoát: nhấn Ctrl+Alt+Q trên bàn phím USB.
error-quit-explained = Thoát ứng dụng để sửa lỗi. Kiosk kết thúc với mã lỗi, nên dịch vụ hệ thống sẽ tự mở lại và kiosk chạy khi lỗi đã được sửa.

## Mã PIN nhân viên
pin-title = Chế độ nhân viên
pin-hint = Nhập mã PIN rồi bấm “Vào”.
pin-checking = Đang kiểm tra…
pin-wrong = Mã PIN không đúng. Hãy thử lại.
pin-locked = Nhập sai quá 5 lần. Thử lại sau { $left }.
pin-not-set = Chưa đặt mã PIN cho kiosk này. Trên máy kiosk, chạy lệnh: hailong kiosk set-pin
pin-delete = Xoá
pin-ok = Vào
pin-cancel = Huỷ

## Chế độ nhân viên
staff-title = Chế độ nhân viên — { $facility }
staff-tab-dashboard = Tổng quan
staff-tab-export = Xuất dữ liệu
staff-tab-sync = Đồng bộ
staff-tab-settings = Cài đặt
staff-leave = Về màn hình khảo sát
staff-short-pin = Mã PIN này chỉ có { $digits } chữ số, dễ bị dò ra. Hãy đổi sang mã PIN 6–8 chữ số: Cài đặt → Đổi mã PIN.
staff-quit = Thoát ứng dụng
staff-quit-title = Thoát ứng dụng?
staff-quit-body = Kiosk sẽ ngừng nhận ý kiến người bệnh cho đến khi được mở lại.
staff-quit-confirm = Thoát
staff-quit-cancel = Không thoát
staff-loading = Đang tải…
period-today = Hôm nay
period-week = Tuần này
period-month = Tháng này
period-quarter = Quý này
period-last-quarter = Quý trước
period-year = Năm nay
dash-rate = Tỷ lệ hài lòng chung
dash-target = Mục tiêu { $target }
dash-n = n = { $n } câu trả lời · khoảng tin cậy 95 %: { $interval }
dash-counts = { $responses } phiếu được tính · { $partial } chưa hoàn thành · { $rapid } gửi lặp nhanh (không tính)
dash-lowest = Năm câu có tỷ lệ hài lòng thấp nhất
dash-sections = Tỷ lệ hài lòng theo phần
dash-trend = Xu hướng
dash-comments = Ý kiến mới nhất
export-period = Kỳ báo cáo
export-format = Định dạng
export-destination = Lưu vào
export-refresh = Tìm lại USB
export-no-drive = Chưa thấy USB nào. Cắm USB rồi bấm “Tìm lại USB”.
export-drive = USB: { $name }
export-data-dir = Thư mục dữ liệu của kiosk
export-start = Xuất
export-progress = Đã xuất { $done }/{ $total } phiếu…
export-done = Đã xuất { $count } phiếu vào { $path }
export-error-full = Không xuất được: ổ đĩa đã đầy.
export-error-readonly = Không xuất được: ổ đĩa chỉ đọc hoặc không cho phép ghi.
export-error-removed = Không xuất được: ổ đĩa đã bị rút ra hoặc không còn.
export-error-other = Không xuất được: { $detail }
sync-centre = Máy chủ trung tâm
sync-not-configured = chưa cấu hình đồng bộ
sync-last-success = Đồng bộ thành công lần cuối
sync-never = chưa lần nào
sync-waiting = Phiếu đang chờ gửi
sync-queued = { $count } phiếu (cũ nhất: { $oldest })
sync-notes-waiting = Góp ý đang chờ gửi
sync-notes-count = { $count } góp ý
sync-last-error = Lỗi gần nhất
sync-explain = Chưa cấu hình đồng bộ: thêm khối [centre] (url, token) do máy chủ trung tâm cấp vào hailong.toml. Mọi phiếu vẫn được lưu an toàn trên kiosk.
sync-now = Đồng bộ ngay
sync-running = Đang đồng bộ…
sync-audit = Kiểm tra chuỗi gần nhất
sync-audit-never = chưa kiểm tra lần nào
sync-audit-clean = { $checked } phiếu đã được đối chiếu: không phiếu nào bị sửa hay bị xoá.
sync-audit-found = { $checked } phiếu đã được đối chiếu: { $found }. Trung tâm giữ bản đã nhận và đã ghi lại sự việc.
sync-audit-altered = phiếu số { $seqs } đã bị sửa trên kiosk sau khi gửi
sync-audit-removed = phiếu số { $seqs } đã bị xoá khỏi kiosk
sync-audit-more = {" "}và { $count } phiếu khác
sync-clock = Đồng hồ
settings-facility = Tên cơ sở
settings-kiosk = Tên kiosk
settings-point = Điểm khảo sát (trống: tên kiosk)
settings-departments = Khoa/phòng (cách nhau bằng dấu phẩy)
settings-questionnaire = Mẫu phiếu
settings-language = Ngôn ngữ mặc định
settings-idle = Tự kết thúc sau (giây không thao tác)
settings-url = Địa chỉ mã QR trang cảm ơn
settings-target = Mục tiêu hài lòng (%)
settings-save = Lưu cài đặt
settings-change-pin = Đổi mã PIN
settings-saved = Đã lưu. Cài đặt mới có hiệu lực ngay.
settings-invalid = Chưa lưu:
settings-pin-first = Nhập mã PIN mới (6–8 chữ số)
settings-pin-again = Nhập lại mã PIN mới
settings-pin-problem = Mã PIN phải gồm 6–8 chữ số và hai lần nhập phải giống nhau.
settings-edit = Sửa
settings-edit-done = Xong
sync-error-offline = Không kết nối được máy chủ trung tâm ({ $detail }). Kiosk sẽ tự thử lại.
sync-error-unauthorized = Máy chủ trung tâm từ chối mã của kiosk này (mã đã bị thu hồi hoặc sai). Nhờ bộ phận CNTT của trung tâm cấp lại: chạy “hailong centre kiosk renew MÃ-KIOSK” trên máy chủ, rồi dán khối [centre] mới vào hailong.toml.
sync-error-token-missing = Kiosk này không gửi mã: mục token trong [centre] của hailong.toml trống hoặc không đọc được. Hãy dán khối [centre] mà máy chủ trung tâm đã in cho kiosk này.
sync-error-token-unknown = Máy chủ trung tâm không nhận ra mã của kiosk này: mã bị gõ sai, hoặc đã được thay khi kiosk được cấp mã mới. Hãy dán khối [centre] mới nhất đã in cho kiosk này (“hailong centre kiosk renew { $kiosk }” trên máy chủ in một khối mới).
sync-error-token-revoked = Máy chủ trung tâm đã thu hồi mã của kiosk này. Để đồng bộ lại, chạy “hailong centre kiosk renew { $kiosk }” trên máy chủ rồi dán khối [centre] mới vào hailong.toml; dữ liệu đã lưu trên kiosk không mất.
sync-error-token-other-kiosk = Mã này thuộc về một kiosk khác, không phải kiosk này ({ $kiosk }). Mỗi kiosk cần khối [centre] riêng: chạy “hailong centre kiosk renew { $kiosk }” trên máy chủ rồi dán kết quả vào đây.
sync-error-enrolled-elsewhere = Máy chủ trung tâm đã biết kiosk này ({ $kiosk }) theo một lần đăng ký trước, nên không nhận mã mới này. Trên máy chủ chạy “hailong centre kiosk renew { $kiosk }” (kiosk giữ nguyên lịch sử), dán khối [centre] mới vào đây, rồi thu hồi lần đăng ký thừa.
sync-error-busy = Máy chủ trung tâm đang bận; kiosk sẽ thử lại sau { $seconds } giây.
sync-clock-ahead = Đồng hồ của kiosk này NHANH hơn máy chủ trung tâm { $days } ngày { $hours } giờ { $minutes } phút. Hãy chỉnh lại ngày giờ (bật giờ tự động, NTP, nếu kiosk có mạng): phiếu mang giờ sai vẫn được lưu ở trung tâm nhưng không được tính vào số liệu nào.
sync-clock-behind = Đồng hồ của kiosk này CHẬM hơn máy chủ trung tâm { $days } ngày { $hours } giờ { $minutes } phút. Hãy chỉnh lại ngày giờ (bật giờ tự động, NTP, nếu kiosk có mạng): phiếu mang giờ sai bị tính vào sai kỳ báo cáo hoặc không được tính.
sync-error-server = Máy chủ trung tâm báo lỗi { $status }: { $detail }. Kiosk sẽ tự thử lại.
sync-error-rejected = Máy chủ trung tâm không nhận phiếu: { $detail }
sync-error-store = Lỗi cơ sở dữ liệu của kiosk: { $detail }
sync-error-certificate = Không dùng được chứng chỉ của trung tâm ([centre] ca_cert): { $detail }

## Rules of a setting (Settings page and hailong.toml); $field is the label or the key
rule-range = { $field } phải từ { $min } đến { $max } (đang là { $found }).
rule-not-a-number = { $field }: “{ $text }” không phải là số.
rule-empty = { $field } không được để trống.
rule-web-url = { $field } phải bắt đầu bằng https:// hoặc http://.
rule-pin-hash = { $field } không phải mã băm argon2id; hãy đặt mã PIN bằng lệnh hailong kiosk set-pin.
rule-empty-department = { $field }: có một tên khoa/phòng để trống.
rule-bad-name = { $field }: tối đa 200 ký tự, không chứa ký tự điều khiển.
rule-parser = { $field }: { $message }
settings-save-failed = không ghi được cài đặt ({ $error }).

## --- kiosk-ux (issue 13 §3, §1): bàn phím, lỗi khởi động, lỗi lưu ---
keyboard-caps = Giữ chữ hoa
start-loading = Đang khởi động…
start-data-dir = Không tạo được thư mục dữ liệu { $dir }: { $cause }.
start-advice-data-dir = Cách xử lý: cho tài khoản chạy kiosk quyền ghi vào thư mục này, hoặc chọn thư mục khác bằng --data-dir hoặc biến HAILONG_DATA_DIR.
start-advice-config = Cách xử lý: sửa dòng đã nêu trong hailong.toml (hoặc xoá dòng đó để dùng giá trị mặc định), rồi khởi động lại kiosk.
start-advice-questionnaire = Cách xử lý: sửa tệp mẫu phiếu đã nêu trong thư mục questionnaires/ (hoặc chuyển tệp đó ra ngoài), rồi khởi động lại kiosk.
start-advice-questionnaire-unknown = Cách xử lý: ghi một mẫu phiếu có sẵn vào mục questionnaire của hailong.toml, rồi khởi động lại kiosk.
questionnaire-invalid = { $file }, dòng { $line }: { $field }: { $message }
questionnaire-unreadable = { $file }: không đọc được ({ $error })
questionnaire-conflict = { $file }: mẫu { $key } đã có trong { $other } với nội dung khác; hãy đặt số phiên bản (version) mới cho mẫu đã sửa.
questionnaire-unknown = Không có mẫu phiếu “{ $id }”. Các mẫu có sẵn: { $available }.
io-permission = không có quyền truy cập
io-read-only = ổ đĩa chỉ đọc
io-full = ổ đĩa đã đầy
io-not-found = không tìm thấy
io-other = { $detail }
store-not-a-database = { $path } không phải cơ sở dữ liệu của hailong ({ $reason }); tệp được giữ nguyên.
store-corrupt = Cơ sở dữ liệu { $path } bị hỏng ({ $detail }); tệp được giữ nguyên.
store-too-new = { $path } do một phiên bản hailong mới hơn ghi (lược đồ { $found }, bản này chỉ biết đến { $known }).
store-questionnaire-changed = mẫu phiếu { $key } khác với mẫu mà cơ sở dữ liệu này đã lưu câu trả lời
store-invalid = phiếu không khớp với mẫu phiếu của nó ({ $detail })
store-full = ổ đĩa đã đầy
store-read-only = không ghi được vào cơ sở dữ liệu (chỉ đọc hoặc không có quyền)
store-busy = cơ sở dữ liệu đang bị một chương trình khác giữ
store-io = { $path }: { $cause }
store-other = lỗi cơ sở dữ liệu ({ $detail })
store-advice-not-a-database = Cách xử lý: chuyển tệp này ra khỏi thư mục dữ liệu (kiosk sẽ tạo cơ sở dữ liệu mới), hoặc chọn đúng thư mục dữ liệu.
store-advice-corrupt = Cách xử lý: khôi phục tệp từ bản sao lưu gần nhất; lệnh “hailong verify” cho biết chỗ hỏng.
store-advice-too-new = Cách xử lý: cài phiên bản hailong mới nhất trên kiosk này.
store-advice-questionnaire-changed = Cách xử lý: đặt số phiên bản (version) mới cho mẫu phiếu đã sửa trong questionnaires/, rồi khởi động lại kiosk.
store-advice-full = Cách xử lý: giải phóng dung lượng ổ đĩa (xoá tệp không cần, chép bản xuất sang USB), rồi khởi động lại kiosk.
store-advice-read-only = Cách xử lý: cho tài khoản chạy kiosk quyền ghi vào thư mục dữ liệu và tệp hailong.sqlite3.
store-advice-busy = Cách xử lý: đóng chương trình khác đang mở cơ sở dữ liệu (một kiosk khác, một công cụ SQLite), rồi khởi động lại kiosk.
store-advice-other = Cách xử lý: chạy “hailong verify” trên máy kiosk để biết thêm, hoặc liên hệ bộ phận CNTT.
export-error-too-many = Không xuất được: { $count } phiếu không vừa một trang Excel; hãy chọn kỳ ngắn hơn hoặc xuất CSV.

## The feedback box on the kiosk ("Góp ý / Phản ánh")
welcome-feedback = Góp ý / Phản ánh
kfb-kind-title = Ông/Bà muốn gửi điều gì?
kfb-follow = Tra cứu góp ý đã gửi
kfb-department-title = Ý kiến về khoa/phòng nào?
kfb-department-none = Không rõ / cả trung tâm
kfb-text-title = Xin mời Ông/Bà viết ý kiến
kfb-contact-title = Ông/Bà có muốn để lại số điện thoại hoặc e-mail?
kfb-contact-why = Chỉ để trung tâm liên lạc và trả lời Ông/Bà về ý kiến này. Không bắt buộc.
kfb-contact-no = Không, gửi không để lại liên lạc
kfb-contact-yes = Có, để lại số điện thoại hoặc e-mail
kfb-contact-entry = Số điện thoại hoặc e-mail của Ông/Bà
kfb-contact-invalid = Chưa phải số điện thoại (ít nhất 8 chữ số) hoặc địa chỉ e-mail
kfb-consent = Tôi đồng ý để trung tâm liên lạc với tôi qua số điện thoại hoặc e-mail này về ý kiến này
kfb-consent-given = Đã đồng ý
kfb-consent-tap = Chạm để đồng ý
kfb-receipt-title = Cảm ơn Ông/Bà đã gửi ý kiến
kfb-receipt-keep = Mã theo dõi của Ông/Bà — xin ghi lại hoặc chụp ảnh mã này:
kfb-receipt-qr = Quét mã QR bằng điện thoại để theo dõi việc trả lời
kfb-receipt-follow = Hoặc nhập mã ở mục “Tra cứu góp ý đã gửi” trên máy này.
kfb-follow-title = Nhập mã theo dõi (8 chữ và số)
kfb-follow-ask = Tra cứu
kfb-follow-asking = Đang hỏi trung tâm…
kfb-follow-invalid = Mã gồm 8 chữ và số, ví dụ 7KQ4-MX2P
kfb-follow-result = Ý kiến có mã
kfb-follow-received = Nhận ngày { $date }
kfb-follow-state = Tình trạng: { $state }
kfb-follow-answer = Trả lời của trung tâm
kfb-follow-waiting = Ý kiến này đã được lưu trên máy và sẽ được gửi về trung tâm khi có kết nối.
kfb-follow-not-found = Không tìm thấy mã này. Xin kiểm tra lại các chữ và số.
kfb-follow-offline = Chưa liên lạc được với trung tâm. Xin thử lại sau, hoặc quét mã QR trên phiếu bằng điện thoại.
kfb-follow-again = Tra mã khác
