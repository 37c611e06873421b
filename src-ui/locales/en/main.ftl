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
