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

## Me: timetable settings

me-timetable-settings = 시간표
me-home-zone = 본국 시간대
me-home-zone-search = 도시나 지역 검색
me-home-zone-unset = 설정 안 함
me-home-zone-hint = 시간표 탭에서 수업 시간을 본국 시간으로도 볼 수 있어요.
me-student-visa = 학생 비자를 가지고 있어요
me-student-visa-hint = 기본 플랜의 학점이 풀타임 최소 학점보다 적으면 Pretzel이 알려 드려요.
me-saving = 저장 중…
me-saved = 저장했어요.

## Timetable

timetable-term = 학기
timetable-loading = 시간표를 불러오는 중…
timetable-no-terms = 아직 Pretzel에 학교의 강의 목록이 없어요. 곧 다시 확인해 주세요.
timetable-offline = 오프라인 상태예요. 변경 사항은 이 기기에 저장되고, 다시 연결되면 전송돼요.
timetable-synced-at = 마지막 동기화
timetable-plans = 플랜
timetable-plan-new = 새 플랜
timetable-plan-prefix = 플랜
timetable-plan-name = 플랜 이름
timetable-plan-copy = 지금 보는 플랜의 과목으로 시작
timetable-plan-create = 만들기
timetable-plan-save = 저장
timetable-plan-rename = 이름 바꾸기
timetable-plan-make-primary = 기본 플랜으로 지정
timetable-plan-primary = 기본 플랜
timetable-plan-delete = 플랜 삭제
timetable-plan-delete-confirm = 이 플랜과 안에 있는 모든 항목을 삭제할까요?
timetable-plan-limit = 이 학기에 만들 수 있는 플랜 수를 모두 채웠어요.
timetable-plan-empty = 아직 과목이 없어요. 검색해서 추가해 보세요.
timetable-cancel = 취소
timetable-close = 닫기
timetable-add = 추가
timetable-remove = 삭제
timetable-in-plan = 추가됨
timetable-removed = 강의 목록에서 삭제됨
timetable-overlap = 시간 겹침
timetable-arranged = 시간 별도 협의
timetable-search-title = 과목 추가
timetable-search-label = 과목 검색
timetable-search-placeholder = 과목 코드, 과목명 또는 교수 이름
timetable-search-hint = "CS 225" 같은 과목 코드, 과목명이나 교수 이름을 입력하세요.
timetable-search-none = 일치하는 과목이 없어요. 검색어나 필터를 줄여 보세요.
timetable-search-offline = 오프라인: 저장된 결과를 보여 드려요
timetable-search-count = { $max }개 중 { $min }개 표시
timetable-search-count-more = { $max }개 이상 중 { $min }개 표시
timetable-search-more = 더 보기
timetable-filters = 필터
timetable-filters-clear = 필터 지우기
timetable-filter-days = 요일
timetable-filter-after = 시작 시간 이후
timetable-filter-before = 종료 시간 이전
timetable-filter-credits = 학점
timetable-filter-any = 전체
timetable-filter-subject = 학과
timetable-filter-open = 빈자리가 있는 분반만
timetable-seats = 좌석
timetable-seats-open = 빈자리 { $min }석
timetable-seats-full = 마감
timetable-credits-unit = 학점
timetable-instructors = 교수
timetable-registration-id = 수강 신청 번호 (CRN)
timetable-pretzel-students = Pretzel 사용자
timetable-students = { $min }명이 플랜에 담았어요
timetable-missing-also = 이 과목에 함께 필요한 분반:
timetable-missing-needs = 필요:
timetable-missing-find = 찾아보기
timetable-conflict-title = 수업 시간이 겹쳐요
timetable-conflict-body = 추가하면 다음 항목들의 시간이 겹쳐요:
timetable-conflict-confirm = 그래도 추가
timetable-conflict-cancel = 취소
timetable-credits = 학점
timetable-credits-exact = { $max }학점
timetable-credits-range = { $min }–{ $max }학점
timetable-credits-full-time = 풀타임 기준: { $min }학점
timetable-visa-warning = 이 기본 플랜은 최대 { $max }학점으로, 풀타임 최소 기준인 { $min }학점보다 적어요. 학생 비자는 보통 풀타임 수강이 필요하니 국제학생처에 확인해 보세요.
timetable-week-of = 주간:
timetable-week-previous = 이전 주
timetable-week-next = 다음 주
timetable-week-today = 이번 주
timetable-week-empty = 이번 주에는 수업이 없어요.
timetable-zone = 시간 기준
timetable-zone-campus = 캠퍼스 시간
timetable-zone-home = 본국 시간
timetable-zone-shown = 표시 시간대:
timetable-zone-home-hint = 본국 시간으로 보려면 내 정보 탭에서 본국 시간대를 설정하세요.
timetable-clocks-change = 시간 변경(서머타임) 날짜:
timetable-unscheduled = 시간표에 없는 수업 (시간 협의 또는 온라인)
timetable-day-mon = 월
timetable-day-tue = 화
timetable-day-wed = 수
timetable-day-thu = 목
timetable-day-fri = 금
timetable-day-sat = 토
timetable-day-sun = 일
timetable-kind-lecture = 강의
timetable-kind-lab = 실험·실습
timetable-kind-discussion = 토론
timetable-kind-seminar = 세미나
timetable-kind-studio = 스튜디오
timetable-kind-online = 온라인
timetable-kind-independent-study = 개별 연구
timetable-kind-research = 연구
timetable-kind-internship = 인턴십
timetable-kind-other = 기타
timetable-blocks-title = 나만의 일정
timetable-block-label = 어떤 일정인가요?
timetable-block-placeholder = 아르바이트, 통학, 운동…
timetable-block-start = 시작
timetable-block-end = 종료
timetable-block-add = 일정 추가
timetable-block-need-label = 일정 이름을 입력하세요.
timetable-block-need-day = 요일을 하나 이상 고르세요.
timetable-block-need-times = 종료 시간은 시작 시간보다 늦어야 해요.
timetable-calendar-title = 캘린더
timetable-export = .ics 내보내기
timetable-exporting = 내보내는 중…
timetable-exported = 저장 위치:
timetable-subscribe = 구독
timetable-subscribing = 처리 중…
timetable-feed-url = 비공개 캘린더 주소
timetable-feed-hint = Google 캘린더, Apple 캘린더나 Outlook에 붙여 넣으세요. 이 플랜이 바뀌면 함께 바뀌어요. 다른 사람과 공유하지 마세요.
timetable-feed-open = 캘린더 앱에서 열기
timetable-feed-revoke = 주소 폐기
timetable-copy = 복사
timetable-copied = 복사했어요
timetable-copy-failed = 복사하지 못했어요. 주소를 직접 선택해 주세요
timetable-pending-title = 동기화 대기 중
timetable-pending-waiting = 대기 중
timetable-pending-failed = 실패
timetable-pending-discard = 버리기
timetable-pending-create = 새 플랜
timetable-pending-rename = 플랜 이름 바꾸기
timetable-pending-primary = 기본 플랜 변경
timetable-pending-delete = 플랜 삭제
timetable-pending-add = 분반 { $min }개 추가
timetable-pending-remove = 분반 삭제
timetable-pending-add-block = 일정 추가
timetable-pending-remove-block = 일정 삭제
timetable-error-section-gone = 이 분반은 강의 목록에서 삭제되어 추가할 수 없어요.
timetable-error-state = 지금은 할 수 없어요 (학기마다 플랜이 하나는 있어야 해요).
timetable-error-not-found = 해당 플랜이나 분반이 더 이상 없어요.

## Chats

chats-empty-title = 아직 채팅방이 없어요
chats-empty-body = 시간표에 있는 모든 과목에는 같은 수업을 듣는 학생들의 채팅방이 있어요. 시간표 탭에서 과목을 추가하면 여기에 채팅방이 나타나요.
chats-pick-room = 채팅방을 골라 대화를 시작하세요.
chats-no-messages = 아직 메시지가 없어요. 먼저 인사해 보세요!
chats-deleted = 삭제된 메시지입니다
chats-time-now = 방금
chats-time-minutes = { $min }분 전
chats-today = 오늘
chats-yesterday = 어제
chats-date = { $min }월 { $max }일
chats-day-date = { $min }월 { $max }일
chats-day-date-year = { $year }년 { $min }월 { $max }일
chats-room-counts = { $min ->
    [0] 멤버 { $max }명
   *[other] 멤버 { $max }명 · { $min }명 접속 중
}
chats-online-count = { $min }명 접속 중
chats-room-pending = 보내는 중…
chats-room-failed = 전송 실패
chats-muted = 알림 꺼짐
chats-unread = 읽지 않은 메시지 { $min }개
chats-connecting = 연결 중…
chats-offline = 오프라인 — 다시 연결되면 메시지가 전송돼요.
chats-reconnecting-now = 다시 연결하는 중…
chats-reconnecting-in = { $min }초 후 다시 연결…
chats-loading-older = 이전 메시지를 불러오는 중…
chats-beginning = 대화의 시작입니다.
chats-new-messages = 새 메시지
chats-back = 채팅방 목록으로
chats-members = 멤버
chats-you = 나
chats-mute = 알림 끄기
chats-unmute = 알림 켜기
chats-close = 닫기
chats-reply = 답장
chats-edit = 수정
chats-delete = 삭제
chats-report = 신고
chats-block = 차단
chats-unblock = 차단 해제
chats-save = 저장
chats-cancel = 취소
chats-edited = 수정됨
chats-pending = 전송 대기 중
chats-not-sent = 전송 실패:
chats-failed-too-long = 메시지가 너무 길어요
chats-failed-empty = 메시지가 비어 있어요
chats-failed-not-member = 더 이상 이 과목의 멤버가 아니에요
chats-failed-rate-limited = 너무 많은 메시지를 한꺼번에 보냈어요
chats-failed-other = 서버가 거부했어요
chats-retry = 다시 보내기
chats-discard = 버리기
chats-replying-to = 답장 대상
chats-placeholder = 메시지를 입력하세요…
chats-send = 보내기
chats-counter = { $min } / { $max }
chats-typing-one = 님이 입력 중…
chats-typing-several = { $min }명이 입력 중…
chats-delete-title = 이 메시지를 삭제할까요?
chats-delete-body = 채팅방의 모든 사람에게 삭제된 메시지로 표시돼요.
chats-report-title = 이 메시지를 신고할까요?
chats-report-body = 운영진이 검토합니다. 이유를 적어 주셔도 돼요(선택).
chats-report-reason = 이유(선택)
chats-reported = 신고해 주셔서 감사해요. 운영진이 확인할게요.
nav-chats-unread = 읽지 않은 채팅 메시지 { $min }개
