//! Whether a new chat message deserves an OS notification, and what it says: a pure decision over
//! the message, the room's mute and what the student is looking at, plus a small limiter so a burst
//! of messages raises a handful of notifications rather than a flood. The shell shows them.

use pretzel_api::RoomId;
use pretzel_api::shell::chat::ChatLine;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Longest message excerpt in a notification, in characters.
const EXCERPT_CHARS: usize = 160;

/// A message that arrived live (not replayed while catching up) from someone else, with what the
/// notification decision needs to know about its room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// The message as the UI shows it.
    pub line: ChatLine,
    /// The room's course code, e.g. "CS 225".
    pub course_code: String,
    /// The student muted the room.
    pub muted: bool,
}

/// What the student is looking at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Focus {
    /// The app's window has the keyboard focus.
    pub window_focused: bool,
    /// The room open on screen, if any.
    pub room_on_screen: Option<RoomId>,
}

/// The text of one OS notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationText {
    /// "Mina in CS 225", or "Mina mentioned you in CS 225".
    pub title: String,
    /// The start of the message.
    pub body: String,
}

/// The notification `incoming` deserves given `focus`, or `None`: own, deleted and muted rooms'
/// messages never notify, nor do those of the room the student is reading in the focused window.
pub fn notification_for(incoming: &IncomingMessage, focus: Focus) -> Option<NotificationText> {
    let line = &incoming.line;
    if line.mine || line.deleted || incoming.muted {
        return None;
    }
    if focus.window_focused && focus.room_on_screen == Some(line.room_id) {
        return None;
    }
    let title = if line.mentions_me {
        format!("{} mentioned you in {}", line.author_name, incoming.course_code)
    } else {
        format!("{} in {}", line.author_name, incoming.course_code)
    };
    let mut body: String = line.body.chars().take(EXCERPT_CHARS).collect();
    if line.body.chars().nth(EXCERPT_CHARS).is_some() {
        body.push('…');
    }
    Some(NotificationText { title, body })
}

/// Lets at most `max` notifications through in any `window`.
#[derive(Debug, Clone)]
pub struct NotificationBurst {
    max: usize,
    window: Duration,
    shown: VecDeque<Instant>,
}

impl NotificationBurst {
    /// At most `max` notifications per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, shown: VecDeque::new() }
    }

    /// `true` (and counts it) when one more notification at `now` stays within the limit.
    pub fn allow(&mut self, now: Instant) -> bool {
        while self.shown.front().is_some_and(|at| now.duration_since(*at) >= self.window) {
            self.shown.pop_front();
        }
        if self.shown.len() >= self.max {
            return false;
        }
        self.shown.push_back(now);
        true
    }
}

impl Default for NotificationBurst {
    /// Three notifications per ten seconds.
    fn default() -> Self {
        Self::new(3, Duration::from_secs(10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use pretzel_api::UserId;
    use pretzel_api::shell::chat::LineState;

    fn incoming(room: i64, body: &str) -> IncomingMessage {
        IncomingMessage {
            line: ChatLine {
                client_msg_id: "c".into(),
                message_id: None,
                seq: Some(1),
                room_id: RoomId(room),
                author_id: UserId(2),
                author_name: "Mina".into(),
                body: body.into(),
                reply_to: None,
                reply_preview: None,
                mentions: vec![],
                mentions_me: false,
                created_at: DateTime::<Utc>::UNIX_EPOCH,
                edited: false,
                deleted: false,
                revision: 0,
                mine: false,
                state: LineState::Sent,
            },
            course_code: "CS 225".into(),
            muted: false,
        }
    }

    #[test]
    fn test_others_messages_notify_unless_the_room_is_on_screen_in_the_focused_window() {
        let message = incoming(4, "hello");
        let unfocused = Focus { window_focused: false, room_on_screen: Some(RoomId(4)) };
        let text = notification_for(&message, unfocused).expect("window not focused");
        assert_eq!(text, NotificationText { title: "Mina in CS 225".into(), body: "hello".into() });
        let reading = Focus { window_focused: true, room_on_screen: Some(RoomId(4)) };
        assert_eq!(notification_for(&message, reading), None);
        let elsewhere = Focus { window_focused: true, room_on_screen: Some(RoomId(5)) };
        assert!(notification_for(&message, elsewhere).is_some());
        assert!(notification_for(&message, Focus { window_focused: true, room_on_screen: None }).is_some());
    }

    #[test]
    fn test_own_deleted_and_muted_messages_stay_silent_and_mentions_say_so() {
        let focus = Focus::default();
        let mut mine = incoming(4, "x");
        mine.line.mine = true;
        assert_eq!(notification_for(&mine, focus), None);
        let mut deleted = incoming(4, "");
        deleted.line.deleted = true;
        assert_eq!(notification_for(&deleted, focus), None);
        let mut muted = incoming(4, "x");
        muted.muted = true;
        assert_eq!(notification_for(&muted, focus), None);
        let mut mention = incoming(4, &"a".repeat(200));
        mention.line.mentions_me = true;
        let text = notification_for(&mention, focus).expect("mention");
        assert_eq!(text.title, "Mina mentioned you in CS 225");
        assert_eq!(text.body.chars().count(), EXCERPT_CHARS + 1);
        assert!(text.body.ends_with('…'));
    }

    #[test]
    fn test_a_burst_lets_a_handful_through_then_recovers() {
        let start = Instant::now();
        let mut burst = NotificationBurst::new(3, Duration::from_secs(10));
        let allowed = (0..10).filter(|_| burst.allow(start)).count();
        assert_eq!(allowed, 3);
        assert!(!burst.allow(start + Duration::from_secs(9)));
        assert!(burst.allow(start + Duration::from_secs(10)));
    }
}
