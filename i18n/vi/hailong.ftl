# hailong — Tiếng Việt (ngôn ngữ mặc định)

## Báo cáo (hailong report)
report-title = { $facility } — Báo cáo khảo sát sự hài lòng người bệnh
report-all-facilities = Tất cả cơ sở
report-period = Kỳ báo cáo: { $period }
report-period-all = toàn bộ dữ liệu
report-department = Khoa/phòng: { $department }
report-channel = Kênh: { $channel }
report-point = Điểm khảo sát: { $point }
channel-kiosk = Ki-ốt
channel-phone = Điện thoại (mã QR trên ki-ốt)
channel-ticket = Mã trên phiếu
channel-poster = Mã QR dán tại chỗ
channel-paper = Phiếu giấy
channel-interview = Phỏng vấn, hỗ trợ điền
report-responses = Số phiếu được tính: { $count } (trong đó chưa hoàn thành: { $partial }). Không tính: { $rapid } phiếu gửi lặp nhanh.
report-satisfied = Tỷ lệ hài lòng chung: { $pct } (n = { $n } câu trả lời; khoảng tin cậy 95 %: { $ci })
report-target = So với mục tiêu { $target } %: { $verdict }
report-mean = Điểm trung bình: { $mean } / 5
report-comprehensive = Tỷ lệ hài lòng toàn diện: { $pct } (n = { $n } phiếu trả lời đủ)
report-expectation = Mức đáp ứng so với mong đợi: { $pct } (n = { $n })
report-return = Tỷ lệ sẽ quay lại hoặc giới thiệu: { $pct } (n = { $n })
report-col-part = Phần / câu hỏi
report-col-satisfied = % hài lòng
report-col-mean = Điểm TB

## Xuất dữ liệu (hailong export)
export-col-id = Mã phiếu
export-col-seq = Số thứ tự
export-col-kiosk = Mã kiosk
export-col-channel = Kênh
export-col-point = Điểm khảo sát
export-col-repeat-device = Cùng điện thoại trong 7 ngày (không tính)
export-col-department = Khoa/phòng
export-col-questionnaire = Mẫu phiếu
export-col-version = Phiên bản mẫu
export-col-locale = Ngôn ngữ
export-col-status = Trạng thái
export-col-rapid-repeat = Gửi lặp nhanh
export-col-started = Bắt đầu (giờ địa phương)
export-col-submitted = Gửi lúc (giờ địa phương)
export-col-reasons = { $code } – lý do chưa hài lòng
export-col-other = { $code } – ý kiến khác (ghi rõ)
export-col-comment = Ý kiến
export-sheet-responses = Phiếu
export-sheet-summary = Tổng hợp
export-sum-facility = Cơ sở
export-sum-period = Kỳ báo cáo
export-sum-from = Từ ngày
export-sum-to = Đến ngày
export-sum-responses = Số phiếu được tính
export-sum-partial = Trong đó chưa hoàn thành
export-sum-rapid = Phiếu gửi lặp nhanh (không tính)
export-sum-answers = Số câu trả lời theo thang điểm
export-sum-satisfied = Tỷ lệ hài lòng chung (%)
export-sum-ci-low = Khoảng tin cậy 95 % — cận dưới (%)
export-sum-ci-high = Khoảng tin cậy 95 % — cận trên (%)
export-sum-mean = Điểm trung bình (1–5)
export-sum-comprehensive = Tỷ lệ hài lòng toàn diện (%)
export-sum-expectation = Mức đáp ứng so với mong đợi (%)
export-sum-return = Tỷ lệ sẽ quay lại hoặc giới thiệu (%)
export-sum-target = Mục tiêu (%)
export-sum-meets-target = Đạt mục tiêu
export-sum-part = Phần / câu hỏi
export-sum-n = Số câu trả lời
export-sum-satisfied-short = % hài lòng
export-sum-mean-short = Điểm TB
export-yes = Có
export-no = Không

## Dòng lệnh
cli-export-progress = Đang xuất
cli-export-done = Đã xuất { $count } phiếu vào { $path }
cli-demo-progress = Đang tạo dữ liệu mẫu
cli-demo-done = Đã thêm { $count } phiếu mẫu ({ $questionnaire }) vào { $path }
cli-verify-ok = Chuỗi băm nguyên vẹn: đã kiểm tra { $count } phiếu, không phát hiện sửa hoặc xoá; { $cells } ô tổng hợp theo ngày khớp với các phiếu.
verify-tally = ô tổng hợp ngày { $day } ({ $questionnaire }, { $department }): ghi { $stored } phiếu và { $stored_satisfied } câu trả lời hài lòng, nhưng các phiếu cộng lại là { $recomputed } và { $recomputed_satisfied }
cli-verify-tallies-failed = SỐ LIỆU TỔNG HỢP BỊ SỬA: { $cells } ô tổng hợp theo ngày khác với { $count } phiếu nguyên vẹn, nên báo cáo và bảng tổng quan hiện số sai. Hãy khôi phục cơ sở dữ liệu từ bản sao lưu.
cli-verify-failed = PHÁT HIỆN SAI LỆCH: { $problem } (đã kiểm tra { $count } phiếu hợp lệ trước đó)
cli-error = Lỗi: { $message }
cli-unknown-questionnaire = Cảnh báo: hailong.toml chọn mẫu phiếu “{ $id }” nhưng không có mẫu nào như vậy, nên kiosk không khởi động được. Các mẫu có: { $available }.
verify-missing = thiếu phiếu số { $seq } (đã bị xoá?)
verify-altered = phiếu số { $seq } đã bị sửa sau khi lưu
verify-broken = chuỗi băm bị đứt tại phiếu số { $seq }
verify-unreadable = không đọc được phiếu số { $seq }: { $detail }
verify-damaged = CƠ SỞ DỮ LIỆU BỊ HỎNG: tệp cơ sở dữ liệu bị hỏng ({ $detail }); hãy khôi phục từ bản sao lưu
verify-note-broken = HÒM THƯ GÓP Ý: chuỗi băm không khớp tại ý kiến số { $seq } (bị sửa hoặc bị xoá sau khi lưu)
cli-pin-first = Mã PIN nhân viên mới (6–8 chữ số)
cli-pin-again = Nhập lại mã PIN
cli-pin-invalid = mã PIN phải gồm 6–8 chữ số
cli-pin-mismatch = hai lần nhập mã PIN không giống nhau; chưa thay đổi gì
cli-pin-done = Đã lưu mã PIN (dạng băm argon2id) vào { $path }
cli-no-display = không có màn hình để mở kiosk (DISPLAY và WAYLAND_DISPLAY đều trống). Hãy chạy trên máy có màn hình, trong phiên đồ hoạ, hoặc dưới trình kiosk như cage (xem README).
cli-kiosk-in-use = thư mục dữ liệu { $dir } đang được một kiosk hailong khác sử dụng; mỗi thư mục dữ liệu chỉ chạy một kiosk. Hãy dừng kiosk đang chạy (systemctl --user stop hailong) hoặc chọn thư mục khác bằng --data-dir.
cli-kiosk-added = { $facility } — { $name } (mã đăng ký { $id }). Dán vào hailong.toml của kiosk; mã truy cập (token) chỉ hiện một lần này.
cli-kiosk-active = đang hoạt động
cli-kiosk-revoked = đã thu hồi
cli-kiosk-not-synced = (chưa đồng bộ lần nào)
cli-kiosk-last-seq = số thứ tự cuối { $seq }
cli-kiosk-events = thiếu { $gaps }, bị sửa { $tampers }
cli-verify-side-centre = bản ở trung tâm bị sửa
cli-verify-side-kiosk = kiosk
cli-centre-verify-intact = Nguyên vẹn: đã kiểm tra { $kiosks } kiosk, { $responses } phiếu, { $cells } ô tổng hợp và { $items } góp ý trong { $seconds } giây; { $findings } ghi chú về dữ liệu kiosk gửi lên.
cli-centre-verify-altered = KHÔNG NGUYÊN VẸN: { $findings } phát hiện trên { $kiosks } kiosk, { $responses } phiếu, { $cells } ô tổng hợp và { $items } góp ý ({ $seconds } giây). Bản ở trung tâm đã bị sửa ở những dòng ghi như vậy: khôi phục cơ sở dữ liệu trung tâm từ bản sao lưu và tìm hiểu ai đã sửa.
cli-kiosk-renewed = { $facility } — { $name } (mã đăng ký { $id }) đã được cấp mã mới: dán khối này vào hailong.toml của kiosk, thay cho khối [centre] cũ. Mã cũ không còn dùng được; kiosk tiếp tục từ số thứ tự { $seq }. Mã chỉ hiện một lần này.
cli-token-revoked = đã thu hồi { $date }
cli-centre-no-database = Không có cơ sở dữ liệu trung tâm tại { $path }. Kiểm tra --data-dir (hoặc HAILONG_DATA_DIR) hoặc --database; cơ sở dữ liệu trung tâm được tạo bởi “hailong centre serve” hoặc “hailong centre kiosk add”.
cli-no-database = Không có cơ sở dữ liệu kiosk tại { $path }. Kiểm tra --data-dir (hoặc HAILONG_DATA_DIR); kiosk tạo cơ sở dữ liệu khi chạy lần đầu (hoặc “hailong demo-data”).
cli-phone-link-no-centre = Ki-ốt chưa có trung tâm: ghi [centre] url và token trong hailong.toml (lấy từ “hailong centre kiosk add”). Mã cho điện thoại được tạo từ token của ki-ốt.
cli-codes-point = --point phải là tên một nơi của cơ sở (1–100 ký tự, không có ký tự điều khiển), ví dụ “Khoa Nội” hay “Quầy tiếp đón”.
cli-codes-unknown-form = Không có phiếu “{ $form }”. Các phiếu có: { $known }.
cli-codes-issued = Đã tạo { $count } mã phiếu ({ $pages } trang A4) trong { $path }, dùng được đến hết ngày { $day }. Mở tệp bằng trình duyệt và in; giữ tệp riêng tư: mỗi mã mở được một phiếu.
cli-codes-poster = Áp phích đã ghi vào { $path }; mã của nó mở { $link }. Mở tệp bằng trình duyệt và in trên khổ A4.
cli-centre-unknown-facility = Trung tâm không có cơ sở nào tên “{ $name }”. Có phải: { $close }? (“hailong centre kiosk list” liệt kê các cơ sở.)
cli-centre-unknown-kiosk = Trung tâm không có kiosk nào mã “{ $name }”. Có phải: { $close }? (“hailong centre kiosk list” liệt kê các kiosk.)
cli-centre-unknown-department = Không có phiếu nào ở trung tâm thuộc khoa/phòng “{ $name }”. Có phải: { $close }?
cli-centre-no-close-match = (không có tên nào gần giống)
cli-centre-demo-done = Đã thêm { $count } phiếu mẫu từ { $kiosks } kiosk ở { $facilities } cơ sở
cli-sync-sent = Đã gửi { $count } phiếu; không còn phiếu nào chờ gửi.
cli-sync-audit-ok = Đối chiếu chuỗi băm: máy chủ trung tâm đã kiểm tra { $checked } phiếu; không phiếu nào bị sửa hoặc xoá trên kiosk này.
cli-sync-audit-tampered = Đối chiếu chuỗi băm: máy chủ trung tâm đã kiểm tra { $checked } phiếu và ghi nhận sai lệch: sửa sau khi đồng bộ (số thứ tự { $altered }), xoá sau khi đồng bộ (số thứ tự { $removed }).
cli-sync-audit-failed = Không đối chiếu được chuỗi băm: { $detail }
cli-sync-retry = { $error } Thử lại sau { $seconds } giây.

## hailong.toml errors, for whoever edits the file
config-invalid = { $file }, dòng { $line }: { $problem }
config-unreadable = { $file }: không đọc được: { $error }
config-unwritable = { $file }: không ghi được: { $error }

## report model, verdict column, readable exports (report-model branch)
report-row-total = Chung (mọi phần)
report-col-interval = KTC 95 %
report-col-verdict = Kết luận
export-sum-verdict = Kết luận so với mục tiêu
export-sum-ci-low-short = KTC 95 % — dưới
export-sum-ci-high-short = KTC 95 % — trên
export-sum-verdict-short = Kết luận
export-sum-share = Tỷ lệ chọn mức { $score } (%)
export-status-complete = Hoàn thành
export-status-partial = Chưa hoàn thành
## end of the report-model block

## one verdict, said the same way on every surface (report::text::verdict_words)
verdict-met = Đạt mục tiêu
verdict-not-met = Chưa đạt mục tiêu
verdict-too-few = Chưa đủ câu trả lời để kết luận
verdict-close = Sát mục tiêu: chưa kết luận được
verdict-close-more = Sát mục tiêu: chưa kết luận được; nếu tỷ lệ giữ như hiện nay, cần thêm khoảng { $more } câu trả lời
verdict-no-data = Chưa có câu trả lời
verdict-short-met = Đạt
verdict-short-not-met = Chưa đạt
verdict-short-too-few = Ít câu trả lời
verdict-short-close = Sát mục tiêu
verdict-short-no-data = —
