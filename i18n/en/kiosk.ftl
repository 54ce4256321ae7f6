# hailong — patient kiosk screens (English)

## Welcome
welcome-invite = Your views help us serve you better
welcome-start = Start
welcome-time = It takes less than a minute. No name needed.
welcome-phone = Answer on your phone
welcome-phone-how = Scan the code with your phone's camera. It changes every 30 seconds.
welcome-language = Ngôn ngữ / Language
lang-vi = Tiếng Việt
lang-en = English

## Department
department-title = Which department did you visit today?

## Questions
progress = Question { $current }/{ $total }
back = Back
next = Continue
skip = Skip
recorded = Thank you, noted
scale-1 = Very dissatisfied
scale-2 = Dissatisfied
scale-3 = Neutral
scale-4 = Satisfied
scale-5 = Very satisfied
scale-not-used = Not used
percent-over = Over 100 %
follow-up-hint = You may pick several reasons, then tap “Continue”.

## Keyboard
keyboard-placeholder = Tap the keys below to write your comment…
keyboard-space = Space
keyboard-delete = Delete
keyboard-shift = Capitals
keyboard-telex = Vietnamese accents
keyboard-plain = No accents
keyboard-hint-telex = Telex accents: aa → â, ow → ơ, dd → đ; s, f, r, x, j add tones, z removes them
keyboard-hint-plain = Typing without accents
keyboard-count = { $count }/{ $max } characters
send = Send
other-title = Please specify (optional)

## Thank you
thanks-title = Thank you very much!
thanks-body = Your views have been recorded and will help us serve you better.
thanks-qr = Scan to send more feedback or call our hotline
thanks-done = Done

## Idle
idle-title = Are you still there?
idle-body = Touch the screen to continue. The survey will end in { $seconds } seconds.
idle-continue = I am still here

## Staff notices
banner-save-failed = { $count } response(s) not saved yet, retrying: { $error }
error-title = The kiosk cannot start
error-staff = For staff: fix the problem below, then restart the application.
error-way-out-pin = To leave: tap the top-left corner five times, then enter the PIN.
error-way-out-key = To leave: press Ctrl+Alt+Q on a USB keyboard.
error-quit-explained = Quit to fix the problem. The kiosk ends with a failure status, so the system service starts it again and it runs once the problem is fixed.

## Staff PIN
pin-title = Staff mode
pin-hint = Enter the PIN, then tap “Enter”.
pin-checking = Checking…
pin-wrong = Wrong PIN. Please try again.
pin-locked = Too many wrong PINs. Try again in { $left }.
pin-not-set = No PIN is set on this kiosk. On the kiosk, run: hailong kiosk set-pin
pin-delete = Delete
pin-ok = Enter
pin-cancel = Cancel

## Staff mode
staff-title = Staff mode — { $facility }
staff-tab-dashboard = Dashboard
staff-tab-export = Export
staff-tab-sync = Sync
staff-tab-settings = Settings
staff-leave = Back to the survey
staff-short-pin = This PIN has only { $digits } digits and is easy to guess. Change it to a PIN of 6–8 digits: Settings → Change PIN.
staff-quit = Quit application
staff-quit-title = Quit the application?
staff-quit-body = The kiosk will stop taking patients' views until it is started again.
staff-quit-confirm = Quit
staff-quit-cancel = Do not quit
staff-loading = Loading…
period-today = Today
period-week = This week
period-month = This month
period-quarter = This quarter
period-last-quarter = Last quarter
period-year = This year
dash-rate = Overall satisfaction rate
dash-target = Target { $target }
dash-n = n = { $n } answers · 95 % interval: { $interval }
dash-counts = { $responses } responses counted · { $partial } unfinished · { $rapid } rapid repeats (not counted)
dash-lowest = The five items with the lowest rates
dash-sections = Satisfaction by section
dash-trend = Trend
dash-comments = Latest comments
export-period = Period
export-format = Format
export-destination = Save to
export-refresh = Look for USB drives
export-no-drive = No USB drive found. Plug one in, then tap “Look for USB drives”.
export-drive = USB: { $name }
export-data-dir = The kiosk's data folder
export-start = Export
export-progress = Exported { $done }/{ $total } responses…
export-done = Exported { $count } responses to { $path }
export-error-full = Export failed: the drive is full.
export-error-readonly = Export failed: the drive is read-only or cannot be written.
export-error-removed = Export failed: the drive was removed or is gone.
export-error-other = Export failed: { $detail }
sync-centre = Centre server
sync-not-configured = sync not configured
sync-last-success = Last successful sync
sync-never = never
sync-waiting = Responses waiting
sync-queued = { $count } responses (oldest: { $oldest })
sync-notes-waiting = Feedback waiting to be sent
sync-notes-count = { $count } { $count ->
    [one] note
   *[other] notes
}
sync-last-error = Last error
sync-explain = Sync is not configured: add the [centre] block (url, token) the centre gave you to hailong.toml. Every response is stored safely on the kiosk meanwhile.
sync-now = Sync now
sync-running = Syncing…
sync-audit = Last chain audit
sync-audit-never = not run yet
sync-audit-clean = { $checked } responses compared: none altered or removed.
sync-audit-found = { $checked } responses compared: { $found }. The centre keeps the copies it received and has recorded this.
sync-audit-altered = response no. { $seqs } altered on the kiosk after it was sent
sync-audit-removed = response no. { $seqs } removed from the kiosk
sync-audit-more = {" "}and { $count } more
sync-clock = Clock
settings-facility = Facility name
settings-kiosk = Kiosk name
settings-point = Point (empty: the kiosk name)
settings-departments = Departments (separated by commas)
settings-questionnaire = Questionnaire
settings-language = Default language
settings-idle = End the survey after (seconds without a touch)
settings-url = Thank-you QR code address
settings-target = Satisfaction target (%)
settings-save = Save settings
settings-change-pin = Change PIN
settings-saved = Saved. The new settings apply now.
settings-invalid = Not saved:
settings-pin-first = Enter the new PIN (6–8 digits)
settings-pin-again = Enter the new PIN again
settings-pin-problem = The PIN must be 6–8 digits, the same both times.
settings-edit = Edit
settings-edit-done = Done
sync-error-offline = Cannot reach the centre ({ $detail }). The kiosk will keep trying.
sync-error-unauthorized = The centre refuses this kiosk's token (revoked or wrong). Ask the centre's IT to re-enrol it: “hailong centre kiosk renew KIOSK-ID” on the centre, then paste the new [centre] block into hailong.toml.
sync-error-token-missing = This kiosk sent no token: the [centre] token in hailong.toml is empty or unreadable. Paste the [centre] block the centre printed for this kiosk.
sync-error-token-unknown = The centre does not know this kiosk's token: it was mistyped, or replaced when the kiosk was re-enrolled. Paste the [centre] block most recently printed for this kiosk (“hailong centre kiosk renew { $kiosk }” on the centre prints a new one).
sync-error-token-revoked = The centre revoked this kiosk's token. To sync again, run “hailong centre kiosk renew { $kiosk }” on the centre and paste the new [centre] block into hailong.toml; nothing stored here is lost.
sync-error-token-other-kiosk = This token belongs to another kiosk, not to this one ({ $kiosk }). Each kiosk needs its own [centre] block: run “hailong centre kiosk renew { $kiosk }” on the centre and paste what it prints here.
sync-error-enrolled-elsewhere = The centre already knows this kiosk ({ $kiosk }) under an earlier enrolment, so it did not take this new token. On the centre run “hailong centre kiosk renew { $kiosk }” (the kiosk keeps its history), paste the new [centre] block here, and revoke the unused enrolment.
sync-error-busy = The centre is busy; the kiosk tries again in { $seconds } s.
sync-clock-ahead = This kiosk's clock is { $days } days { $hours } h { $minutes } min AHEAD of the centre's. Set the date and time (with automatic time, NTP, if the kiosk has a network): responses stamped with a wrong time are kept at the centre but counted in no figure.
sync-clock-behind = This kiosk's clock is { $days } days { $hours } h { $minutes } min BEHIND the centre's. Set the date and time (with automatic time, NTP, if the kiosk has a network): responses stamped with a wrong time count in the wrong period or in no figure at all.
sync-error-server = The centre answered with error { $status }: { $detail }. The kiosk will keep trying.
sync-error-rejected = The centre refused responses: { $detail }
sync-error-store = The kiosk's database failed: { $detail }
sync-error-certificate = The centre's certificate setting ([centre] ca_cert) cannot be used: { $detail }

## Rules of a setting (Settings page and hailong.toml); $field is the label or the key
rule-range = { $field } must be between { $min } and { $max } (found { $found }).
rule-not-a-number = { $field }: “{ $text }” is not a number.
rule-empty = { $field } must not be empty.
rule-web-url = { $field } must start with https:// or http://.
rule-pin-hash = { $field } is not an argon2id hash; set the PIN with hailong kiosk set-pin.
rule-empty-department = { $field }: a department name is empty.
rule-bad-name = { $field }: at most 200 characters, without control characters.
rule-parser = { $field }: { $message }
settings-save-failed = the settings could not be written ({ $error }).

## --- kiosk-ux (issue 13 §3, §1): keyboard, start errors, save errors ---
keyboard-caps = Caps lock
start-loading = Starting…
start-data-dir = The data directory { $dir } cannot be created: { $cause }.
start-advice-data-dir = What to do: let the kiosk's account write to this directory, or choose another with --data-dir or HAILONG_DATA_DIR.
start-advice-config = What to do: correct the line named in hailong.toml (or delete it to use the default), then restart the kiosk.
start-advice-questionnaire = What to do: correct the questionnaire file named in questionnaires/ (or move it out), then restart the kiosk.
start-advice-questionnaire-unknown = What to do: put one of the available questionnaires in hailong.toml's questionnaire setting, then restart the kiosk.
questionnaire-invalid = { $file }, line { $line }: { $field }: { $message }
questionnaire-unreadable = { $file }: cannot read ({ $error })
questionnaire-conflict = { $file }: { $key } is already defined by { $other } with different content; give the changed questionnaire a new version.
questionnaire-unknown = There is no questionnaire “{ $id }”. Available: { $available }.
io-permission = permission denied
io-read-only = the disk is read-only
io-full = the disk is full
io-not-found = not found
io-other = { $detail }
store-not-a-database = { $path } is not a hailong database ({ $reason }); the file was left untouched.
store-corrupt = The database { $path } is damaged ({ $detail }); the file was left untouched.
store-too-new = { $path } was written by a newer hailong (schema version { $found }, this program knows up to { $known }).
store-questionnaire-changed = questionnaire { $key } differs from the one this database already holds answers for
store-invalid = a response does not fit its questionnaire ({ $detail })
store-full = the disk is full
store-read-only = the database cannot be written (read-only or no permission)
store-busy = another program holds the database
store-io = { $path }: { $cause }
store-other = database error ({ $detail })
store-advice-not-a-database = What to do: move this file out of the data directory (the kiosk then creates a new database), or point the kiosk at the right data directory.
store-advice-corrupt = What to do: restore the file from the latest backup; “hailong verify” shows where it is damaged.
store-advice-too-new = What to do: install the latest hailong on this kiosk.
store-advice-questionnaire-changed = What to do: give the changed questionnaire in questionnaires/ a new version, then restart the kiosk.
store-advice-full = What to do: free space on the disk (delete unneeded files, copy exports to a USB drive), then restart the kiosk.
store-advice-read-only = What to do: let the kiosk's account write to the data directory and to hailong.sqlite3.
store-advice-busy = What to do: close the other program that has the database open (another kiosk, an SQLite tool), then restart the kiosk.
store-advice-other = What to do: run “hailong verify” on the kiosk for details, or call the IT staff.
export-error-too-many = Export failed: { $count } responses do not fit in one Excel sheet; choose a shorter period or export CSV.

## The feedback box on the kiosk ("Góp ý / Phản ánh")
welcome-feedback = Feedback / Concerns
kfb-kind-title = What would you like to send?
kfb-follow = Follow feedback you sent
kfb-department-title = Which department is it about?
kfb-department-none = Not sure / the whole centre
kfb-text-title = Please write what you would like to say
kfb-contact-title = Would you like to leave a phone number or e-mail?
kfb-contact-why = Only so that the centre can contact you and answer you about this. It is optional.
kfb-contact-no = No, send it without contact details
kfb-contact-yes = Yes, leave a phone number or e-mail
kfb-contact-entry = Your phone number or e-mail
kfb-contact-invalid = Not a phone number (at least 8 digits) or an e-mail address yet
kfb-consent = I agree that the centre may contact me at this number or address about this feedback
kfb-consent-given = Agreed
kfb-consent-tap = Tap to agree
kfb-receipt-title = Thank you for your feedback
kfb-receipt-keep = Your receipt code — please write it down or take a photo of it:
kfb-receipt-qr = Scan the QR code with your phone to follow the answer
kfb-receipt-follow = Or type the code under “Follow feedback you sent” on this kiosk.
kfb-follow-title = Type your receipt code (8 letters and digits)
kfb-follow-ask = Look it up
kfb-follow-asking = Asking the centre…
kfb-follow-invalid = A code is 8 letters and digits, like 7KQ4-MX2P
kfb-follow-result = Feedback with the code
kfb-follow-received = Received on { $date }
kfb-follow-state = State: { $state }
kfb-follow-answer = The centre's answer
kfb-follow-waiting = This feedback is saved on this kiosk and will be sent to the centre when the connection is back.
kfb-follow-not-found = No feedback has this code. Please check the letters and digits.
kfb-follow-offline = The centre cannot be reached now. Please try again later, or scan the QR code on your receipt with your phone.
kfb-follow-again = Another code
