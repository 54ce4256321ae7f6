# hailong — English

## Reports (hailong report)
report-title = { $facility } — Patient satisfaction report
report-all-facilities = All facilities
report-period = Period: { $period }
report-period-all = all data
report-department = Department: { $department }
report-channel = Channel: { $channel }
report-point = Point: { $point }
channel-kiosk = Kiosk
channel-phone = Phone (the kiosk's QR code)
channel-ticket = Ticket code
channel-poster = Poster QR code
channel-paper = Paper form
channel-interview = Interview, assisted
report-responses = Responses counted: { $count } (of which not finished: { $partial }). Not counted: { $rapid } rapid repeats.
report-satisfied = Overall satisfaction rate: { $pct } (n = { $n } answers; 95 % confidence interval: { $ci })
report-target = Against the { $target } % target: { $verdict }
report-mean = Mean score: { $mean } / 5
report-comprehensive = Comprehensive satisfaction: { $pct } (n = { $n } complete responses)
report-expectation = Expectations met: { $pct } (n = { $n })
report-return = Would return or recommend: { $pct } (n = { $n })
report-col-part = Section / question
report-col-satisfied = % satisfied
report-col-mean = Mean

## Exports (hailong export)
export-col-id = Response id
export-col-seq = Sequence
export-col-kiosk = Kiosk id
export-col-channel = Channel
export-col-point = Point
export-col-repeat-device = Same phone within 7 days (not counted)
export-col-department = Department
export-col-questionnaire = Questionnaire
export-col-version = Questionnaire version
export-col-locale = Language
export-col-status = Status
export-col-rapid-repeat = Rapid repeat
export-col-started = Started (local time)
export-col-submitted = Submitted (local time)
export-col-reasons = { $code } – reasons for dissatisfaction
export-col-other = { $code } – other (in words)
export-col-comment = Comment
export-sheet-responses = Responses
export-sheet-summary = Summary
export-sum-facility = Facility
export-sum-period = Period
export-sum-from = From
export-sum-to = To
export-sum-responses = Responses counted
export-sum-partial = Of which incomplete
export-sum-rapid = Rapid repeats (not counted)
export-sum-answers = Answers on the scale
export-sum-satisfied = Overall satisfaction rate (%)
export-sum-ci-low = 95 % confidence interval — low (%)
export-sum-ci-high = 95 % confidence interval — high (%)
export-sum-mean = Mean score (1–5)
export-sum-comprehensive = Comprehensive satisfaction (%)
export-sum-expectation = Expectations met (%)
export-sum-return = Would return or recommend (%)
export-sum-target = Target (%)
export-sum-meets-target = Target met
export-sum-part = Section / question
export-sum-n = Answers
export-sum-satisfied-short = % satisfied
export-sum-mean-short = Mean
export-yes = Yes
export-no = No

## Command line
cli-export-progress = Exporting
cli-export-done = Exported { $count } responses to { $path }
cli-demo-progress = Generating demo data
cli-demo-done = Added { $count } demo responses ({ $questionnaire }) to { $path }
cli-verify-ok = Hash chain intact: { $count } responses checked, none edited or deleted; { $cells } daily tally cells match them.
verify-tally = tally of { $day } ({ $questionnaire }, { $department }): it says { $stored } responses and { $stored_satisfied } satisfied answers, the responses add up to { $recomputed } and { $recomputed_satisfied }
cli-verify-tallies-failed = TALLIES ALTERED: { $cells } daily tally cells differ from the { $count } intact responses, so reports and the dashboard show wrong figures. Restore the database from a backup.
cli-verify-failed = TAMPERING DETECTED: { $problem } ({ $count } valid responses before it)
cli-error = Error: { $message }
cli-unknown-questionnaire = Warning: hailong.toml names the questionnaire “{ $id }”, which does not exist, so the kiosk cannot start. The questionnaires there are: { $available }.
verify-missing = response seq { $seq } is missing (deleted?)
verify-altered = response seq { $seq } was altered after it was saved
verify-broken = the hash chain is broken at seq { $seq }
verify-unreadable = response seq { $seq } cannot be read: { $detail }
verify-damaged = DATABASE DAMAGED: the database file is damaged ({ $detail }); restore it from a backup
verify-note-broken = FEEDBACK BOX: the hash chain does not hold at note { $seq } (edited or removed after it was saved)
cli-pin-first = New staff PIN (6–8 digits)
cli-pin-again = The PIN again
cli-pin-invalid = the PIN must be 6–8 digits
cli-pin-mismatch = the two PINs differ; nothing was changed
cli-pin-done = Saved the PIN (as an argon2id hash) in { $path }
cli-no-display = there is no screen to open the kiosk on (DISPLAY and WAYLAND_DISPLAY are both empty). Run it on a machine with a screen, in a graphical session, or under a kiosk compositor such as cage (see README).
cli-kiosk-in-use = the data directory { $dir } is in use by another hailong kiosk; only one kiosk may run on a data directory. Stop the running one (systemctl --user stop hailong) or choose another directory with --data-dir.
cli-kiosk-added = { $facility } — { $name } (enrolment { $id }). Paste into the kiosk's hailong.toml; the token is shown only this once.
cli-kiosk-active = active
cli-kiosk-revoked = revoked
cli-kiosk-not-synced = (not synced yet)
cli-kiosk-last-seq = last seq { $seq }
cli-kiosk-events = gaps { $gaps }, tampered { $tampers }
cli-verify-side-centre = centre's copy changed
cli-verify-side-kiosk = kiosk
cli-centre-verify-intact = Intact: { $kiosks } kiosks, { $responses } responses, { $cells } tally cells and { $items } feedback items checked in { $seconds } s; { $findings } notes about what kiosks sent.
cli-centre-verify-altered = NOT INTACT: { $findings } findings over { $kiosks } kiosks, { $responses } responses, { $cells } tally cells and { $items } feedback items ({ $seconds } s). The centre's copy was changed where a line says so: restore the centre database from a backup, and find out who changed it.
cli-kiosk-renewed = { $facility } — { $name } (enrolment { $id }) re-enrolled: paste this into the kiosk's hailong.toml in place of its [centre] block. The old token no longer works; the kiosk goes on from sequence number { $seq }. The token is shown only this once.
cli-token-revoked = revoked { $date }
cli-centre-no-database = There is no centre database at { $path }. Check --data-dir (or HAILONG_DATA_DIR) or --database; a centre database is created by “hailong centre serve” or “hailong centre kiosk add”.
cli-no-database = There is no kiosk database at { $path }. Check --data-dir (or HAILONG_DATA_DIR); the kiosk creates its database when it first starts (or “hailong demo-data”).
cli-phone-link-no-centre = The kiosk has no centre: set [centre] url and token in hailong.toml (from “hailong centre kiosk add”). The phone code is made from the kiosk’s token.
cli-codes-point = --point must name a place of the facility (1–100 characters, no control characters), e.g. “Khoa Nội” or “Quầy tiếp đón”.
cli-codes-unknown-form = There is no questionnaire “{ $form }”. Those there are: { $known }.
cli-codes-issued = { $count } ticket codes ({ $pages } A4 pages) written to { $path }, good until the end of { $day }. Open the file in a browser and print it; keep it private: each code opens one response.
cli-codes-poster = The poster is written to { $path }; its code opens { $link }. Open the file in a browser and print it on A4.
cli-centre-unknown-facility = The centre knows no facility named “{ $name }”. Did you mean: { $close }? (“hailong centre kiosk list” lists them.)
cli-centre-unknown-kiosk = The centre knows no kiosk with id “{ $name }”. Did you mean: { $close }? (“hailong centre kiosk list” lists them.)
cli-centre-unknown-department = No response at the centre names the department “{ $name }”. Did you mean: { $close }?
cli-centre-no-close-match = (no similar name)
cli-centre-demo-done = Added { $count } demo responses from { $kiosks } kiosks in { $facilities } facilities
cli-sync-sent = Sent { $count } responses; nothing is waiting.
cli-sync-audit-ok = Hash chain audit: the centre checked { $checked } responses; none was altered or removed on this kiosk.
cli-sync-audit-tampered = Hash chain audit: the centre checked { $checked } responses and recorded tampering: altered after sync (seq { $altered }), removed after sync (seq { $removed }).
cli-sync-audit-failed = The hash chain audit failed: { $detail }
cli-sync-retry = { $error } Retrying in { $seconds } s.

## hailong.toml errors, for whoever edits the file
config-invalid = { $file }, line { $line }: { $problem }
config-unreadable = { $file }: cannot read: { $error }
config-unwritable = { $file }: cannot write: { $error }

## report model, verdict column, readable exports (report-model branch)
report-row-total = Overall (every section)
report-col-interval = 95 % CI
report-col-verdict = Verdict
export-sum-verdict = Verdict against the target
export-sum-ci-low-short = 95 % CI — low
export-sum-ci-high-short = 95 % CI — high
export-sum-verdict-short = Verdict
export-sum-share = Share answering { $score } (%)
export-status-complete = Complete
export-status-partial = Not finished
## end of the report-model block

## one verdict, said the same way on every surface (report::text::verdict_words)
verdict-met = Target met
verdict-not-met = Target not met
verdict-too-few = Too few answers to conclude
verdict-close = Close to the target: cannot conclude yet
verdict-close-more = Close to the target: cannot conclude yet; at today's rate about { $more } more answers would settle it
verdict-no-data = No answers yet
verdict-short-met = Met
verdict-short-not-met = Not met
verdict-short-too-few = Few answers
verdict-short-close = Close to target
verdict-short-no-data = —
