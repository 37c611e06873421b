## Pretzel UI: English (the reference catalog; ko and zh-CN must define exactly the same ids).

app-name = Pretzel
app-tagline = Your campus, wherever you're from.
app-loading = Getting Pretzel ready…

## Log in

login-title = Welcome back
login-subtitle = Log in to see your classes, course chats and what's happening on campus.
login-email = Email
login-password = Password
login-submit = Log in
login-submitting = Logging in…
login-no-account = New to Pretzel?
login-go-signup = Create an account

## Sign up

signup-title = Create your account
signup-subtitle = Meet classmates from around the world at your university.
signup-email = Email
signup-email-hint = Your school email works best.
signup-password = Password
signup-password-hint = At least { $min } characters. A short phrase is easy to remember.
signup-display-name = Display name
signup-display-name-hint = This is how classmates will see you.
signup-university = University
signup-university-placeholder = Choose your university
signup-university-loading = Loading universities…
signup-university-retry = Try again
signup-submit = Create account
signup-submitting = Creating your account…
signup-have-account = Already have an account?
signup-go-login = Log in

## Settings (login screen and Me)

settings-server = Server settings
settings-server-url = Server address
settings-server-hint = Only change this if your school or club runs its own Pretzel server.
settings-server-save = Save
settings-server-saving = Saving…
settings-server-saved = Saved. Pretzel now uses this server.
settings-language = Language
settings-language-system = System default
settings-language-hint = Choose the language Pretzel speaks to you in.

## App frame

nav-label = Main navigation
nav-feed = Feed
nav-timetable = Timetable
nav-chats = Chats
nav-notifications = Notifications
nav-me = Me

## Coming soon

soon-badge = Coming soon
soon-heading = What's on the way
feed-title = Your campus feed
feed-body = Posts, events and tips from students at your university, all in one friendly stream.
feed-point-events = Club fairs, cultural nights and events near you
feed-point-questions = Questions and answers from other international students
feed-point-market = Housing, textbooks and rides shared by classmates
timetable-title = Your week at a glance
timetable-body = Add your courses once and always know where your next class is, in your campus's time zone.
timetable-point-courses = Search your university's course catalog
timetable-point-week = A clear weekly view with rooms and times
timetable-point-remind = Reminders before class starts
chats-title = Course chat rooms
chats-body = A room for every course you take, so you can ask about homework, form study groups and make friends.
chats-point-rooms = Join your courses' rooms automatically
chats-point-offline = Write messages offline; they send when you're back
chats-point-languages = Chat comfortably in any language
notifications-title = Stay in the loop
notifications-body = Replies, mentions and class changes, gathered in one place so nothing slips past you.
notifications-point-mentions = Mentions and replies from your chats
notifications-point-classes = Changes to your classes and rooms
notifications-point-quiet = Quiet hours that respect your schedule

## Me

me-university = University
me-member-since = Member since
me-offline = Offline
me-offline-hint = You're seeing your saved profile. It will refresh when you're back online.
me-settings = Settings
me-account = Account
me-logout = Log out
me-logging-out = Logging out…

## Errors (banners)

error-no-shell = Can't reach the Pretzel app shell. Open Pretzel from the desktop or mobile app to sign in.
error-offline = Can't reach the Pretzel server. Check your internet connection or the server address, then try again.
error-not-signed-in = Please log in first.
error-storage = Pretzel couldn't save data on this device. Check that there is free space, then try again.
error-internal = Something went wrong inside Pretzel. Please try again.
error-invalid-input = Some of what you entered isn't valid. Please check it and try again.
error-invalid-credentials = That email and password don't match. Check them and try again.
error-rate-limited = Too many attempts. Please wait a minute, then try again.
error-session-expired = Your session has ended. Please log in again.
error-server-unavailable = The Pretzel server is starting up or under maintenance. Try again in a moment.
error-server = The server ran into a problem. Please try again.
error-generic = Something went wrong. Please try again.
error-universities = Couldn't load the list of universities.
notice-signed-out = You were signed out. Please log in again.

## Field errors

field-required = Please fill this in.
field-invalid = This doesn't look right. Please check it.
field-invalid-email = Enter a valid email address, like name@school.edu.
field-email-taken = An account with this email already exists. Try logging in instead.
field-password-too-short = Use at least { $min } characters.
field-password-too-long = Use at most { $max } characters.
field-password-too-common = This password is too common. Try a phrase only you would know.
field-display-name-too-long = Keep it to { $max } characters or fewer.
field-too-long = This is too long.
field-too-short = This is too short.
field-unknown-university = Choose your university from the list.
field-invalid-url = Enter a full address that starts with http:// or https://.

## Me: timetable settings

me-timetable-settings = Timetable
me-home-zone = Home time zone
me-home-zone-search = Search a city or region
me-home-zone-unset = Not set
me-home-zone-hint = Lets the Timetable tab show your classes in the time back home.
me-student-visa = I hold a student visa
me-student-visa-hint = Pretzel then warns you when your main plan has fewer credits than full-time study requires.
me-saving = Saving…
me-saved = Saved.

## Timetable

timetable-term = Term
timetable-loading = Loading your timetable…
timetable-no-terms = Your university has no course catalog in Pretzel yet. Check back soon.
timetable-offline = You're offline. Changes are saved on this device and sent when you're back.
timetable-synced-at = Last synced
timetable-plans = Plans
timetable-plan-new = New plan
timetable-plan-prefix = Plan
timetable-plan-name = Plan name
timetable-plan-copy = Start with the courses of the plan shown
timetable-plan-create = Create
timetable-plan-save = Save
timetable-plan-rename = Rename
timetable-plan-make-primary = Make main plan
timetable-plan-primary = Main plan
timetable-plan-delete = Delete plan
timetable-plan-delete-confirm = Delete this plan and everything in it?
timetable-plan-limit = You have reached the limit of plans for this term.
timetable-plan-empty = No courses yet. Search for one to add it.
timetable-cancel = Cancel
timetable-close = Close
timetable-add = Add
timetable-remove = Remove
timetable-in-plan = Added
timetable-removed = Dropped from catalog
timetable-overlap = Overlaps
timetable-arranged = Time arranged
timetable-search-title = Add courses
timetable-search-label = Search courses
timetable-search-placeholder = Course code, title or instructor
timetable-search-hint = Type a course code like "CS 225", a title or an instructor's name.
timetable-search-none = Nothing matches. Try fewer words or fewer filters.
timetable-search-offline = Offline: showing saved results
timetable-search-count = Showing { $min } of { $max }
timetable-search-count-more = Showing { $min } of { $max }+
timetable-search-more = Show more
timetable-filters = Filters
timetable-filters-clear = Clear filters
timetable-filter-days = Days
timetable-filter-after = Starts after
timetable-filter-before = Ends before
timetable-filter-credits = Credits
timetable-filter-any = Any
timetable-filter-subject = Subject
timetable-filter-open = Only sections with open seats
timetable-seats = Seats
timetable-seats-open = { $min } seats open
timetable-seats-full = Full
timetable-credits-unit = cr
timetable-instructors = Instructors
timetable-registration-id = Registration number (CRN)
timetable-pretzel-students = On Pretzel
timetable-students = { $min } students have it in their plan
timetable-missing-also = This course also needs:
timetable-missing-needs = needs a
timetable-missing-find = Find one
timetable-conflict-title = These classes overlap
timetable-conflict-body = Adding this would put two things at the same time:
timetable-conflict-confirm = Add anyway
timetable-conflict-cancel = Cancel
timetable-credits = Credits
timetable-credits-exact = { $max } credits
timetable-credits-range = { $min }–{ $max } credits
timetable-credits-full-time = Full-time: { $min } credits
timetable-visa-warning = This main plan has at most { $max } credits, below the full-time minimum of { $min }. Student visas usually require full-time study: check with your international student office.
timetable-week-of = Week of
timetable-week-previous = Previous week
timetable-week-next = Next week
timetable-week-today = This week
timetable-week-empty = No classes this week.
timetable-zone = Clock
timetable-zone-campus = Campus time
timetable-zone-home = Home time
timetable-zone-shown = Times in
timetable-zone-home-hint = Set your home time zone in Me to see classes in home time.
timetable-clocks-change = Clocks change on
timetable-unscheduled = Not on the grid (time arranged or online)
timetable-day-mon = Mon
timetable-day-tue = Tue
timetable-day-wed = Wed
timetable-day-thu = Thu
timetable-day-fri = Fri
timetable-day-sat = Sat
timetable-day-sun = Sun
timetable-kind-lecture = Lecture
timetable-kind-lab = Lab
timetable-kind-discussion = Discussion
timetable-kind-seminar = Seminar
timetable-kind-studio = Studio
timetable-kind-online = Online
timetable-kind-independent-study = Independent study
timetable-kind-research = Research
timetable-kind-internship = Internship
timetable-kind-other = Other
timetable-blocks-title = Your own blocks
timetable-block-label = What is it?
timetable-block-placeholder = Work shift, commute, gym…
timetable-block-start = Start
timetable-block-end = End
timetable-block-add = Add block
timetable-block-need-label = Give the block a name.
timetable-block-need-day = Pick at least one day.
timetable-block-need-times = The end must be after the start.
timetable-calendar-title = Calendar
timetable-export = Export .ics
timetable-exporting = Exporting…
timetable-exported = Saved to
timetable-subscribe = Subscribe
timetable-subscribing = Working…
timetable-feed-url = Private calendar address
timetable-feed-hint = Paste it into Google Calendar, Apple Calendar or Outlook. It follows changes to this plan. Keep it private.
timetable-feed-open = Open in calendar app
timetable-feed-revoke = Revoke
timetable-copy = Copy
timetable-copied = Copied
timetable-copy-failed = Couldn't copy; select the address instead
timetable-pending-title = Waiting to sync
timetable-pending-waiting = Waiting
timetable-pending-failed = Failed
timetable-pending-discard = Discard
timetable-pending-create = New plan
timetable-pending-rename = Rename plan
timetable-pending-primary = Change main plan
timetable-pending-delete = Delete plan
timetable-pending-add = { $min ->
    [one] Add a section
   *[other] Add { $min } sections
}
timetable-pending-remove = Remove a section
timetable-pending-add-block = Add a block
timetable-pending-remove-block = Remove a block
timetable-error-section-gone = That section was dropped from the catalog, so it can't be added.
timetable-error-state = That can't be done right now (a term always keeps at least one plan).
timetable-error-not-found = That plan or section no longer exists.

## Chats

chats-empty-title = No chat rooms yet
chats-empty-body = Every course in your timetable has a chat room with your classmates. Add courses in the Timetable tab and their rooms appear here.
chats-pick-room = Pick a room to start chatting.
chats-no-messages = No messages yet. Say hello!
chats-deleted = This message was deleted
chats-time-now = now
chats-time-minutes = { $min } min
chats-today = Today
chats-yesterday = Yesterday
chats-date = { $min ->
       [1] Jan
       [2] Feb
       [3] Mar
       [4] Apr
       [5] May
       [6] Jun
       [7] Jul
       [8] Aug
       [9] Sep
       [10] Oct
       [11] Nov
      *[12] Dec
   } { $max }
chats-day-date = { $min ->
       [1] January
       [2] February
       [3] March
       [4] April
       [5] May
       [6] June
       [7] July
       [8] August
       [9] September
       [10] October
       [11] November
      *[12] December
   } { $max }
chats-day-date-year = { $min ->
       [1] January
       [2] February
       [3] March
       [4] April
       [5] May
       [6] June
       [7] July
       [8] August
       [9] September
       [10] October
       [11] November
      *[12] December
   } { $max }, { $year }
chats-room-counts = { $min ->
    [0] { $max ->
        [one] { $max } member
       *[other] { $max } members
    }
   *[other] { $max ->
        [one] { $max } member
       *[other] { $max } members
    } · { $min } online
}
chats-online-count = { $min } online
chats-room-pending = Sending…
chats-room-failed = Not sent
chats-muted = Muted
chats-unread = { $min ->
    [one] 1 unread message
   *[other] { $min } unread messages
}
chats-connecting = Connecting…
chats-offline = Offline — messages will be sent when you're back.
chats-reconnecting-now = Reconnecting…
chats-reconnecting-in = Reconnecting in { $min } s…
chats-loading-older = Loading older messages…
chats-beginning = This is the beginning of the conversation.
chats-new-messages = New messages
chats-back = Back to rooms
chats-members = Members
chats-you = You
chats-mute = Mute
chats-unmute = Unmute
chats-close = Close
chats-reply = Reply
chats-edit = Edit
chats-delete = Delete
chats-report = Report
chats-block = Block
chats-unblock = Unblock
chats-save = Save
chats-cancel = Cancel
chats-edited = edited
chats-pending = Waiting to send
chats-not-sent = Not sent:
chats-failed-too-long = too long
chats-failed-empty = the message is empty
chats-failed-not-member = you are no longer in this course
chats-failed-rate-limited = too many messages at once
chats-failed-other = the server refused it
chats-retry = Retry
chats-discard = Discard
chats-replying-to = Replying to
chats-placeholder = Write a message…
chats-send = Send
chats-counter = { $min } / { $max }
chats-typing-one = {" "}is typing…
chats-typing-several = { $min } people are typing…
chats-delete-title = Delete this message?
chats-delete-body = Everyone in the room will see that it was deleted.
chats-report-title = Report this message?
chats-report-body = Moderators will review it. You can say why (optional).
chats-report-reason = Reason (optional)
chats-reported = Thanks. The moderators will take a look.
nav-chats-unread = { $min ->
    [one] 1 unread chat message
   *[other] { $min } unread chat messages
}
