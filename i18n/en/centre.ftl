# The centre server's web pages (centre serve).

web-language-name = English
web-skip = Skip to the main content
web-nav = Navigation
web-nav-overview = Overview
web-nav-password = Change password
web-nav-logout = Log out
web-footer = hailong: patient satisfaction measured against the 95 % target.
web-back-home = Back to the first page

web-login-title = Log in
web-login-name = User name
web-login-password = Password
web-login-submit = Log in
web-login-refused = The user name or password is not right.
web-login-throttled = Too many failed logins. Please try again in { $minutes } minutes.

web-password-title = Change password
web-password-current = Current password
web-password-new = New password
web-password-again = New password again
web-password-submit = Change password
web-password-mismatch = The two new passwords are not the same.
web-password-length = The new password must be { $min } to { $max } characters long.
web-password-wrong = The current password is not right.

web-error-not-found = This page was not found
web-error-forbidden = Your account may not see this page
web-error-csrf = The form has expired. Please reload the page and try again.
web-error-bad-request = The request cannot be served
web-error-internal = The server failed. Please try again later or tell IT.
web-error-form = The form sent is incomplete.
web-error-date = The date in “{ $field }” is not a date (year-month-day).
web-error-period = “{ $field }” has no period “{ $value }”: pick one from the list, or enter the first and last day.
web-error-dates-order = The first day must come before the last.
web-error-too-large = What was sent is too large.
web-error-too-slow = What was sent arrived too slowly and was stopped. Please try again.
web-error-control = The field “{ $field }” holds a character that is not allowed.
web-error-address = The page address holds a character that is not allowed.
web-facility-taken = “{ $name }” has the same web address (/facility/{ $slug }) as the facility “{ $existing }”: use that name, or a name that differs in more than accents, case and punctuation.
web-admin-unknown-facility = The centre has no facility “{ $facility }” (a facility exists once its first kiosk is enrolled).

web-period-label = Period
web-period-or = or
web-period-from = From
web-period-to = To
web-period-show = Show
web-period-all = All time
web-period-since = since { $day }
web-period-until = until { $day }
web-period-year = Year { $year }
web-period-h1 = First half of { $year }
web-period-h2 = Second half of { $year }
web-period-9m = First nine months of { $year }
web-period-quarter = Q{ $n } { $year }
web-period-month = { $n }/{ $year }


web-col-facility = Facility
web-col-department = Department
web-col-kiosk = Kiosk
web-col-section = Section
web-col-item = Code
web-col-question = Question
web-col-month = Month
web-col-quarter = Quarter
web-col-responses = Responses
web-col-answers = Answers
web-col-rate = Satisfaction
web-col-interval = 95 % interval
web-col-mean = Mean score
web-col-comprehensive = Comprehensive satisfaction
web-col-return = Would return
web-col-change = Change (points)
web-col-needed = Satisfied answers to reach { $target }
web-col-verdict = Verdict
web-col-against-target = Against the target
web-col-last-sync = Last sync
web-col-received = Responses received
web-col-waiting = Responses waiting (as the kiosk last reported)
web-not-reported = not reported
web-col-gaps = Missing
web-col-tampers = Altered
web-col-clock = Clock wrong
web-never = never
web-no-department = (no department)

web-chart-rates = Satisfaction, with the 95 % interval and the target line
web-table-caption = Lowest first; the verdict compares the 95 % interval with the target.
web-overview-title = Facilities overview
web-overview-facility-title = { $facility }: departments
web-overview-compare = { $count } compared
web-needed-note = “Satisfied answers needed”: how many more satisfied answers (4–5), if every one were satisfied, would bring the rate to { $target }.

web-facility-total = Whole facility
web-facility-department-only = Your account sees { $department }'s figures; every table below is that department's.
web-facility-compare-whole = For comparison, the whole facility: { $rate } (n = { $n } answers).
web-scoped = { $what } · { $scope }
web-facility-counts = { $responses } responses counted; { $partial } not completed; { $rapid } rapid repeats (not counted).
web-facility-departments = By department
web-facility-sections = By section A–E
web-facility-weakest = The { $count } items with the lowest satisfaction
web-facility-trend = Trend by month
web-facility-kiosks = By kiosk
web-facility-health = Kiosk health
web-facility-comments = Latest patient comments
web-facility-no-comments = No comments in this period.
web-facility-to-case = Open a feedback case from this comment

web-public-title = Patient satisfaction results: { $facility }
web-public-intro = The share of satisfied patients (4–5) by quarter, against the { $target } target.
web-public-nothing = No results to publish yet.
web-public-quarters = The last nine quarters
web-public-to-date = (to { $day })
web-public-none = No responses yet
web-public-too-few = Not enough responses (n = { $n })
web-public-caution = use with caution (n = { $n })
web-public-sections = By section, { $quarter }
web-public-departments = By department, latest quarter
web-public-departments-hidden = Departments with fewer than { $n } responses are not published (and another is hidden with them where needed, so they cannot be worked out).
web-public-method = Method
web-public-version = version { $version }
web-public-formula = Satisfaction = answers of 4 or 5 divided by the questions answered (“not used” left out); target { $target }; 95 % interval by the Wilson method.
web-public-exclusions = Rapid repeats from one kiosk are not counted; comprehensive satisfaction counts completed responses only.
web-public-small-numbers = A cell with fewer than { $rate } responses shows its count only; { $rate } to under { $caution } responses: use with caution; departments under { $department } responses are not published.
web-public-updated = Updated { $day }.
web-public-from-tomorrow = (figures from tomorrow)
web-public-snapshot = The running quarter is updated once a day, with figures to the end of the day before; a closed quarter no longer changes. A cell withheld in a quarter stays withheld for the rest of it.
web-public-withheld-earlier = Not published this quarter (withheld earlier in it, when it had few responses)
web-public-open-data = Download the open data (CSV: the count of each score for each question)
web-public-share = Share this page
web-public-qr-alt = QR code pointing to this results page
web-public-embed = Embed on the facility's website:

# hailong centre user …, centre serve
cli-centre-alerts-no-url = Alerts have recipients but the centre has no public address: links in e-mails will lack a host. Run again with --public-url https://the-centre-address.
cli-centre-no-accounts = No account can log in to the web pages yet. Create the first admin with: { $command }
cli-centre-public-thresholds = The public page's thresholds must be in order: --public-department-n ≤ --public-min-n ≤ --public-caution-n.
cli-user-password = Password (at least 10 characters)
cli-user-password-again = Password again
cli-user-password-mismatch = The two passwords are not the same; nothing was saved.
cli-user-unknown-role = There is no role “{ $role }”; use admin, province, facility or department.
cli-user-unknown-facility = The centre does not know the facility “{ $facility }” (no kiosk is enrolled there). Close names: { $close }
cli-user-added = Account { $name } created (role { $role }).
cli-user-active = active
cli-user-disabled = disabled since { $date }
cli-user-unknown = There is no account “{ $name }”.
cli-user-no-facility = The centre has no facility “{ $facility }” (a facility exists once its first kiosk is enrolled: hailong centre kiosk add --facility …).
cli-facility-unknown = There is no facility of that name (see: hailong centre facility list).
cli-facility-none = No facility yet (a facility exists once its first kiosk is enrolled).
cli-facility-renamed = Renamed “{ $from }” to “{ $to }”; its accounts, feedback items (logged), reports and published figures went with it.
cli-facility-merged = Merged “{ $from }” into “{ $into }”: its kiosks, responses, figures, accounts, feedback items (logged) and reports are “{ $into }”'s now.
cli-user-unlocked = Unlocked “{ $who }”: { $count } failed-login counters forgotten; logging in works again at once.

# The quarterly report to the Department of Health
quarterly-authority = DEPARTMENT OF HEALTH ……
quarterly-number = No.: …/BC-…
quarterly-nation = SOCIALIST REPUBLIC OF VIETNAM
quarterly-motto = Independence – Freedom – Happiness
quarterly-place-date = { $place }, { $day }/{ $month }/{ $year }
quarterly-title = REPORT
quarterly-subtitle = Patient satisfaction survey results, { $period }
quarterly-to-named = To: { $authority }
quarterly-to = To: the Department of Health ……
quarterly-part-1 = I. WHAT WAS DEPLOYED
quarterly-deployed = The facility surveys with smart kiosks at reception ({ $kiosks } kiosks), on these forms:
quarterly-part-2 = II. RESULTS
quarterly-by-form = 1. Responses by channel and form
quarterly-overall = 2. Overall figures
quarterly-by-department = 3. Satisfaction by department and by group A–E
quarterly-items = 4. The share (%) of each score for each question (1 = very dissatisfied … 5 = very satisfied)
quarterly-part-3 = III. REMARKS BY THE FIVE GROUPS
quarterly-part-4 = IV. PROBLEMS AND ACTIONS
quarterly-actions-empty = (The facility writes its problems and the actions taken.)
quarterly-recipients = Recipients:
quarterly-recipient-1 = - Department of Health (for report);
quarterly-recipient-2 = - Archive: office, quality management.
quarterly-signer = DIRECTOR
quarterly-sign-here = (Signature, full name, seal)
quarterly-rate = Overall satisfaction
quarterly-verdict = Verdict against the { $target } target
quarterly-mean = Mean score
quarterly-comprehensive = Comprehensive satisfaction
quarterly-expectation = Met expectations
quarterly-return = Would return or recommend
quarterly-col-form = Form
quarterly-col-channel = Channel
quarterly-col-responses = Responses
quarterly-col-figure = Figure
quarterly-col-value = Result
quarterly-col-department = Department
quarterly-col-rate = Overall
quarterly-col-code = Code
quarterly-col-question = Question
quarterly-col-not-used = Not used
quarterly-channel-kiosk = Kiosk at reception
quarterly-remark-met = { $section }: { $rate } ({ $n } answers), meets the { $target } target; lowest item: { $weakest }.
quarterly-remark-not-met = { $section }: { $rate } ({ $n } answers), below the { $target } target; to improve first: { $weakest }.
quarterly-remark-unsettled = { $section }: { $rate } ({ $n } answers) against the { $target } target: { $verdict }. Lowest item: { $weakest }.
quarterly-remark-none = { $section }: no answers in the period.
quarterly-download-docx = Download as Word (.docx) to edit and sign
quarterly-print-hint = Print this page (Ctrl+P → Save as PDF) for an A4 copy.
quarterly-edit-actions = Edit part IV
quarterly-save = Save part IV
quarterly-too-long = Part IV is longer than 8000 characters.
web-facility-report = Quarterly report to the Department of Health
web-export-label = Download the responses of this view:
web-export-csv = CSV
web-export-xlsx = Excel (.xlsx)
web-export-too-many-rows = { $count } responses do not fit in one Excel sheet (1,048,575 rows at most): choose a shorter period, or download the CSV.

# Administration (/admin)
web-nav-admin = Administration
web-admin-title = Kiosks and accounts
web-admin-kiosks = Kiosks
web-admin-kiosk-id = Kiosk id
web-admin-state = State
web-admin-actions = Actions
web-admin-active = active
web-admin-revoked = revoked { $date }
web-admin-disabled = disabled { $date }
web-admin-revoke = Revoke
web-admin-renew = New token
web-admin-enrol = Enrol a kiosk
web-admin-users = Accounts
web-admin-role = Role
web-admin-add-user = Add an account
web-admin-disable = Disable
web-admin-facility-if = Facility (for facility and department accounts)
web-admin-department-if = Department (for department accounts)
web-admin-token-once = The token of kiosk { $kiosk } ({ $facility }) is shown only once: paste this block into the kiosk's hailong.toml.
web-role-admin = Administrator
web-role-province = Department of Health (every facility)
web-role-facility = Facility (director, quality, nursing)
web-role-department = Department

web-nav-feedback = Feedback box
web-admin-leader = Facility leader (approves and publishes replies; sees a denunciation's sender)
web-admin-leader-short = leader
cli-user-leader = leader
cli-feedback-no-holidays = The holiday calendar has no year { $year }: that year's feedback deadlines skip only weekends. Add the year to a [feedback] holidays file (see docs/feedback.md).

## account checks (accounts::AccountProblem)
account-name-length = The login name (--name) must be 1 to 64 characters.
account-name-characters = The login name (--name) must not hold spaces or control characters.
account-leader-role = Only a facility account can be a leader (--leader); this one is { $role }.
account-facility-missing = A { $role } account belongs to one facility: give it (--facility).
account-facility-not-wanted = A { $role } account sees every facility: give no facility (--facility).
account-department-missing = A department account belongs to one department: give it (--department).
account-department-not-wanted = Only a department account has a department (--department); this one is { $role }.
account-password-short = The password must be at least { $min } characters.
account-password-long = The password must be at most { $max } characters.
