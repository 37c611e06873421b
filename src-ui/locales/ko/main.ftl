## Pretzel UI: 한국어 (en과 같은 id를 모두 정의해야 합니다).

app-name = Pretzel
app-tagline = 어디에서 왔든, 우리 캠퍼스.
app-loading = Pretzel을 준비하고 있어요…

## Log in

login-title = 다시 오신 걸 환영해요
login-subtitle = 로그인하고 수업, 과목 채팅방, 캠퍼스 소식을 확인하세요.
login-email = 이메일
login-password = 비밀번호
login-submit = 로그인
login-submitting = 로그인 중…
login-no-account = Pretzel이 처음이신가요?
login-go-signup = 계정 만들기

## Sign up

signup-title = 계정 만들기
signup-subtitle = 우리 학교에서 전 세계에서 온 친구들을 만나 보세요.
signup-email = 이메일
signup-email-hint = 학교 이메일을 쓰시면 가장 좋아요.
signup-password = 비밀번호
signup-password-hint = { $min }자 이상이어야 해요. 짧은 문장은 기억하기도 쉬워요.
signup-display-name = 표시 이름
signup-display-name-hint = 같은 수업 친구들에게 보이는 이름이에요.
signup-university = 학교
signup-university-placeholder = 학교를 선택하세요
signup-university-loading = 학교 목록을 불러오는 중…
signup-university-retry = 다시 시도
signup-submit = 계정 만들기
signup-submitting = 계정을 만드는 중…
signup-have-account = 이미 계정이 있으신가요?
signup-go-login = 로그인

## Settings (login screen and Me)

settings-server = 서버 설정
settings-server-url = 서버 주소
settings-server-hint = 학교나 동아리에서 자체 Pretzel 서버를 운영하는 경우에만 바꾸세요.
settings-server-save = 저장
settings-server-saving = 저장 중…
settings-server-saved = 저장했어요. 이제 이 서버를 사용해요.
settings-language = 언어
settings-language-system = 시스템 기본값
settings-language-hint = Pretzel에서 사용할 언어를 선택하세요.

## App frame

nav-label = 주 메뉴
nav-feed = 피드
nav-timetable = 시간표
nav-chats = 채팅
nav-notifications = 알림
nav-me = 내 정보

## Coming soon

soon-badge = 곧 출시
soon-heading = 준비 중인 기능
feed-title = 우리 학교 피드
feed-body = 같은 학교 학생들의 글, 행사, 꿀팁을 한곳에서 편하게 볼 수 있어요.
feed-point-events = 동아리 박람회, 문화의 밤 등 가까운 행사 소식
feed-point-questions = 다른 유학생들과 주고받는 질문과 답변
feed-point-market = 학교 친구들이 나누는 집, 교재, 카풀 정보
timetable-title = 한 주를 한눈에
timetable-body = 수업을 한 번만 추가하면 다음 수업이 어디인지 캠퍼스 시간대에 맞춰 늘 알 수 있어요.
timetable-point-courses = 우리 학교 강의 목록에서 과목 검색
timetable-point-week = 강의실과 시간이 보이는 깔끔한 주간 보기
timetable-point-remind = 수업 시작 전 알림
chats-title = 과목 채팅방
chats-body = 듣는 과목마다 채팅방이 있어서 과제를 묻고, 스터디 그룹을 만들고, 친구도 사귈 수 있어요.
chats-point-rooms = 수강 과목 채팅방에 자동으로 참여
chats-point-offline = 오프라인에서도 메시지 작성, 연결되면 자동 전송
chats-point-languages = 어떤 언어로든 편하게 대화
notifications-title = 놓치지 마세요
notifications-body = 답글, 멘션, 수업 변경 소식을 한곳에 모아 두어 놓치는 일이 없어요.
notifications-point-mentions = 채팅방의 멘션과 답글
notifications-point-classes = 수업과 강의실 변경 사항
notifications-point-quiet = 내 일정에 맞춘 방해 금지 시간

## Me

me-university = 학교
me-member-since = 가입일
me-offline = 오프라인
me-offline-hint = 저장된 프로필을 보고 있어요. 다시 연결되면 새로 고쳐져요.
me-settings = 설정
me-account = 계정
me-logout = 로그아웃
me-logging-out = 로그아웃 중…

## Errors (banners)

error-no-shell = Pretzel 앱 셸에 연결할 수 없어요. 데스크톱 또는 모바일 앱에서 Pretzel을 열어 로그인하세요.
error-offline = Pretzel 서버에 연결할 수 없어요. 인터넷 연결이나 서버 주소를 확인한 뒤 다시 시도하세요.
error-not-signed-in = 먼저 로그인하세요.
error-storage = 이 기기에 데이터를 저장하지 못했어요. 저장 공간을 확인한 뒤 다시 시도하세요.
error-internal = Pretzel 내부에서 문제가 생겼어요. 다시 시도해 주세요.
error-invalid-input = 입력한 내용 중 올바르지 않은 부분이 있어요. 확인한 뒤 다시 시도하세요.
error-invalid-credentials = 이메일 또는 비밀번호가 일치하지 않아요. 확인한 뒤 다시 시도하세요.
error-rate-limited = 시도 횟수가 너무 많아요. 1분 정도 기다린 뒤 다시 시도하세요.
error-session-expired = 세션이 만료되었어요. 다시 로그인하세요.
error-server-unavailable = Pretzel 서버가 시작 중이거나 점검 중이에요. 잠시 후 다시 시도하세요.
error-server = 서버에 문제가 생겼어요. 다시 시도해 주세요.
error-generic = 문제가 생겼어요. 다시 시도해 주세요.
error-universities = 학교 목록을 불러오지 못했어요.
notice-signed-out = 로그아웃되었어요. 다시 로그인하세요.

## Field errors

field-required = 이 항목을 입력하세요.
field-invalid = 올바르지 않은 값이에요. 다시 확인하세요.
field-invalid-email = name@school.edu 같은 올바른 이메일 주소를 입력하세요.
field-email-taken = 이미 이 이메일로 가입된 계정이 있어요. 로그인해 보세요.
field-password-too-short = { $min }자 이상 입력하세요.
field-password-too-long = { $max }자 이하로 입력하세요.
field-password-too-common = 너무 흔한 비밀번호예요. 나만 아는 문장을 써 보세요.
field-display-name-too-long = { $max }자 이하로 입력하세요.
field-too-long = 너무 길어요.
field-too-short = 너무 짧아요.
field-unknown-university = 목록에서 학교를 선택하세요.
field-invalid-url = http:// 또는 https://로 시작하는 전체 주소를 입력하세요.
