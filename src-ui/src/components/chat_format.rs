//! The pure rules behind the Chats tab, kept apart from the views so they can be tested natively:
//! merging lines from answers and events, grouping a conversation by day and author, short
//! relative times, @mention parsing, and which rows of a long conversation are on screen.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Utc};
use pretzel_api::chat::RoomMember;
use pretzel_api::shell::chat::{ChatLine, ChatRoomView, LineState};
use pretzel_api::{RoomId, UserId};
use std::collections::HashMap;

/// Consecutive messages of one author closer together than this share one name header.
pub const GROUP_GAP_SECS: i64 = 5 * 60;
/// The composer shows its character counter from this many characters on.
pub const COUNTER_FROM_CHARS: usize = 3500;

/// The clock as the web view sees it (`chrono`'s own clock is not available in the browser).
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The web view's offset from UTC right now, for grouping messages by the student's own days.
pub fn local_offset() -> FixedOffset {
    let minutes_behind = js_sys::Date::new_0().get_timezone_offset() as i32;
    FixedOffset::west_opt(minutes_behind * 60).unwrap_or_else(|| Utc.fix())
}

/// The calendar day of `at` in `offset`.
pub fn local_day(at: DateTime<Utc>, offset: FixedOffset) -> NaiveDate {
    at.with_timezone(&offset).date_naive()
}

/// Merges `incoming` into `lines` by `client_msg_id`, keeping the highest revision (an equal one
/// is newer news, e.g. a pending line now stored, except that a stored line never goes back to
/// unsent: the send command's pending answer can arrive after the ack's event), then restores the
/// order the contract defines: stored lines by `seq`, then unsent ones in the order they were
/// written.
pub fn upsert_lines(lines: &mut Vec<ChatLine>, incoming: Vec<ChatLine>) {
    let mut held: HashMap<String, usize> =
        lines.iter().enumerate().map(|(index, line)| (line.client_msg_id.clone(), index)).collect();
    let mut added = false;
    for line in incoming {
        match held.get(&line.client_msg_id) {
            Some(&index) => {
                let held = &lines[index];
                let unstores = held.seq.is_some() && line.seq.is_none();
                if line.revision > held.revision || (line.revision == held.revision && !unstores) {
                    lines[index] = line;
                }
            }
            None => {
                held.insert(line.client_msg_id.clone(), lines.len());
                lines.push(line);
                added = true;
            }
        }
    }
    let sorted = lines.windows(2).all(|pair| order_key(&pair[0]) <= order_key(&pair[1]));
    if added || !sorted {
        lines.sort_by_key(order_key);
    }
}

fn order_key(line: &ChatLine) -> (bool, u64, DateTime<Utc>) {
    (line.seq.is_none(), line.seq.unwrap_or(0), line.created_at)
}

/// Puts older lines (a history page) in front, skipping any already held.
pub fn prepend_lines(lines: &mut Vec<ChatLine>, older: Vec<ChatLine>) {
    upsert_lines(lines, older);
}

/// The highest stored `seq` among `lines`.
pub fn highest_seq(lines: &[ChatLine]) -> Option<u64> {
    lines.iter().filter_map(|line| line.seq).max()
}

/// The lowest stored `seq` among `lines` (where older history continues).
pub fn lowest_seq(lines: &[ChatLine]) -> Option<u64> {
    lines.iter().filter_map(|line| line.seq).min()
}

/// Rooms newest activity first: the last message's time, else the order the shell sent them in.
pub fn sort_rooms(rooms: &mut [ChatRoomView]) {
    rooms.sort_by_key(|room| std::cmp::Reverse(room.summary.last_message.as_ref().map(|m| m.created_at)));
}

/// Unread messages over all rooms.
pub fn total_unread(rooms: &[ChatRoomView]) -> u32 {
    rooms.iter().map(|room| room.summary.unread).sum()
}

/// How one line sits in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLayout {
    /// The line starts a new day: show this date above it.
    pub day_break: Option<NaiveDate>,
    /// The line starts a new group: show its author's name above it.
    pub header: bool,
}

/// Lays out every line: day separators, and one name header per run of one author's messages
/// within [`GROUP_GAP_SECS`] of each other.
pub fn layout_lines(lines: &[ChatLine], offset: FixedOffset) -> Vec<LineLayout> {
    let mut previous: Option<&ChatLine> = None;
    lines
        .iter()
        .map(|line| {
            let day = local_day(line.created_at, offset);
            let layout = match previous {
                Some(before) if local_day(before.created_at, offset) == day => LineLayout {
                    day_break: None,
                    header: before.author_id != line.author_id
                        || (line.created_at - before.created_at).num_seconds() > GROUP_GAP_SECS,
                },
                _ => LineLayout { day_break: Some(day), header: true },
            };
            previous = Some(line);
            layout
        })
        .collect()
}

/// A rough height of a line's row in pixels before it has been measured: the bubble's text lines
/// at an assumed width, plus the name header and day separator when shown.
pub fn estimated_height(line: &ChatLine, layout: LineLayout) -> f64 {
    let chars = line.body.chars().count().max(1);
    let explicit = line.body.matches('\n').count();
    let text_lines = (chars / 48 + 1 + explicit) as f64;
    let mut height = 18.0 + text_lines * 22.0;
    if layout.header {
        height += 24.0;
    }
    if layout.day_break.is_some() {
        height += 40.0;
    }
    if line.reply_preview.is_some() {
        height += 40.0;
    }
    if matches!(line.state, LineState::Failed { .. }) {
        height += 34.0;
    }
    height
}

/// Running totals of `heights`: `offsets[i]` is where row `i` starts, the last entry the total.
pub fn offsets(heights: &[f64]) -> Vec<f64> {
    let mut total = 0.0;
    let mut offsets = Vec::with_capacity(heights.len() + 1);
    offsets.push(0.0);
    for height in heights {
        total += height;
        offsets.push(total);
    }
    offsets
}

/// The rows `[first, last)` to render for a viewport of `height` pixels scrolled to `top`, with
/// `overscan` extra rows either side so a fast scroll does not show blank space.
pub fn visible_range(offsets: &[f64], top: f64, height: f64, overscan: usize) -> (usize, usize) {
    let rows = offsets.len().saturating_sub(1);
    if rows == 0 {
        return (0, 0);
    }
    // The first row whose bottom is below the top edge, and the first row starting below the bottom edge.
    let first = offsets[1..].partition_point(|bottom| *bottom <= top);
    let last = offsets[..rows].partition_point(|start| *start < top + height.max(1.0));
    (first.saturating_sub(overscan).min(rows), (last.max(first + 1) + overscan).min(rows))
}

/// A short time for the room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShortTime {
    /// Under a minute ago.
    JustNow,
    /// Minutes ago, under an hour.
    Minutes(i64),
    /// Earlier today, as `HH:MM`.
    Today(String),
    /// Yesterday.
    Yesterday,
    /// Earlier: month and day.
    Date { month: u32, day: u32 },
}

/// How long ago `at` was, as the room list says it.
pub fn short_time(at: DateTime<Utc>, now: DateTime<Utc>, offset: FixedOffset) -> ShortTime {
    let ago = (now - at).num_seconds();
    if ago < 60 {
        return ShortTime::JustNow;
    }
    if ago < 3600 {
        return ShortTime::Minutes(ago / 60);
    }
    let today = local_day(now, offset);
    let day = local_day(at, offset);
    if day == today {
        return ShortTime::Today(clock(at, offset));
    }
    if today.pred_opt() == Some(day) {
        return ShortTime::Yesterday;
    }
    ShortTime::Date { month: day.month(), day: day.day() }
}

/// `HH:MM` of `at` in `offset`.
pub fn clock(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset).format("%H:%M").to_string()
}

/// The day separator's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayLabel {
    /// Today.
    Today,
    /// Yesterday.
    Yesterday,
    /// Another day.
    Date(NaiveDate),
}

/// What to call `day` seen on `today`.
pub fn day_label(day: NaiveDate, today: NaiveDate) -> DayLabel {
    if day == today {
        DayLabel::Today
    } else if today.pred_opt() == Some(day) {
        DayLabel::Yesterday
    } else {
        DayLabel::Date(day)
    }
}

/// An @mention being typed: where its `@` is (a char index) and what follows it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionQuery {
    /// Char index of the `@`.
    pub at: usize,
    /// The text between the `@` and the caret.
    pub query: String,
}

/// The @mention the caret (a char index into `text`) is in, if any: an `@` at the start or after
/// whitespace, followed by no whitespace up to the caret.
pub fn mention_query(text: &str, caret: usize) -> Option<MentionQuery> {
    let chars: Vec<char> = text.chars().take(caret).collect();
    let at = chars.iter().rposition(|c| *c == '@')?;
    if at > 0 && !chars[at - 1].is_whitespace() {
        return None;
    }
    let query: String = chars[at + 1..].iter().collect();
    if query.chars().any(char::is_whitespace) || query.chars().count() > 32 {
        return None;
    }
    Some(MentionQuery { at, query })
}

/// Members whose name starts with (or has a word starting with) `query`, ignoring case; not `me`.
pub fn mention_candidates<'a>(members: &'a [RoomMember], query: &str, me: Option<UserId>) -> Vec<&'a RoomMember> {
    let query = query.to_lowercase();
    members
        .iter()
        .filter(|member| Some(member.user_id) != me)
        .filter(|member| {
            let name = member.display_name.to_lowercase();
            name.starts_with(&query) || name.split_whitespace().any(|word| word.starts_with(&query))
        })
        .take(6)
        .collect()
}

/// `text` with the mention at `query` replaced by `@Name ` and the caret (char index) after it.
pub fn insert_mention(text: &str, query: &MentionQuery, name: &str) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let end = (query.at + 1 + query.query.chars().count()).min(chars.len());
    let before: String = chars[..query.at].iter().collect();
    let after: String = chars[end..].iter().collect();
    let inserted = format!("@{name} ");
    let caret = query.at + inserted.chars().count();
    (format!("{before}{inserted}{after}"), caret)
}

/// The mentioned ids whose `@Name` is still in `body` (the student may have deleted one).
pub fn kept_mentions(body: &str, picked: &[(UserId, String)]) -> Vec<UserId> {
    let mut ids: Vec<UserId> = Vec::new();
    for (id, name) in picked {
        if body.contains(&format!("@{name}")) && !ids.contains(id) {
            ids.push(*id);
        }
    }
    ids
}

/// A piece of a message body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Plain text.
    Text(String),
    /// An `@Name` mention.
    Mention(String),
}

/// Splits `body` into text and @mentions: `@` at the start or after whitespace, followed by the
/// longest of `names` that fits there, else by the next word.
pub fn segments(body: &str, names: &[String]) -> Vec<Segment> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = body;
    let mut after_space = true;
    while let Some(c) = rest.chars().next() {
        if c == '@' && after_space {
            let tail = &rest[1..];
            let known =
                names.iter().filter(|name| !name.is_empty() && tail.starts_with(name.as_str())).max_by_key(|n| n.len());
            let len = known.map(String::len).unwrap_or_else(|| tail.find(char::is_whitespace).unwrap_or(tail.len()));
            if len > 0 {
                if !text.is_empty() {
                    pieces.push(Segment::Text(std::mem::take(&mut text)));
                }
                pieces.push(Segment::Mention(rest[..1 + len].to_owned()));
                rest = &rest[1 + len..];
                after_space = false;
                continue;
            }
        }
        text.push(c);
        after_space = c.is_whitespace();
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        pieces.push(Segment::Text(text));
    }
    pieces
}

/// The message id of the translated reason a failed line shows ("Not sent: too long").
pub fn failure_key(code: &str) -> &'static str {
    match code {
        "too_long" => "chats-failed-too-long",
        "empty_message" => "chats-failed-empty",
        "not_member" | "unknown_room" => "chats-failed-not-member",
        "rate_limited" => "chats-failed-rate-limited",
        _ => "chats-failed-other",
    }
}

/// Someone typing in a room, until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typist {
    /// The room.
    pub room_id: RoomId,
    /// Who.
    pub user_id: UserId,
    /// Their name.
    pub name: String,
    /// When the indicator expires.
    pub until: DateTime<Utc>,
}

/// Lines and rooms for the chat tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{DateTime, Utc};
    use pretzel_api::chat::{ChatMessage, RoomSummary};
    use pretzel_api::shell::chat::{ChatLine, ChatRoomView, LineState};
    use pretzel_api::{MessageId, RoomId, TermId, UserId};

    /// The signed-in student in the fixtures.
    pub const ME: UserId = UserId(1);

    /// A line in room 1 by `author` ("Mina" for 2, "Jun" for 3, "Me" for [`ME`]); stored when it
    /// has a `seq`, pending otherwise.
    pub fn line(id: &str, seq: Option<u64>, author: i64, created_at: DateTime<Utc>) -> ChatLine {
        let author_name = match author {
            1 => "Me",
            2 => "Mina",
            _ => "Jun",
        };
        ChatLine {
            client_msg_id: id.into(),
            message_id: seq.map(|seq| MessageId(seq as i64)),
            seq,
            room_id: RoomId(1),
            author_id: UserId(author),
            author_name: author_name.into(),
            body: format!("message {id}"),
            reply_to: None,
            reply_preview: None,
            mentions: Vec::new(),
            mentions_me: false,
            created_at,
            edited: false,
            deleted: false,
            revision: 0,
            mine: UserId(author) == ME,
            state: if seq.is_some() { LineState::Sent } else { LineState::Pending },
        }
    }

    /// A room with `unread` messages, its last message (by Mina) at `last`, if any.
    pub fn room(id: i64, code: &str, last: Option<DateTime<Utc>>, unread: u32) -> ChatRoomView {
        ChatRoomView {
            summary: RoomSummary {
                room_id: RoomId(id),
                term_id: TermId(1),
                course_code: code.into(),
                title: format!("{code} title"),
                member_count: 40,
                online_count: 3,
                last_message: last.map(|created_at| ChatMessage {
                    id: MessageId(id * 100),
                    room_id: RoomId(id),
                    seq: 9,
                    author_id: UserId(2),
                    author_name: "Mina".into(),
                    client_msg_id: format!("last-{id}"),
                    body: "see you at the lab".into(),
                    reply_to: None,
                    mentions: Vec::new(),
                    created_at,
                    edited_at: None,
                    deleted: false,
                    revision: 0,
                }),
                last_seq: 9,
                read_seq: 9 - u64::from(unread),
                unread,
            },
            muted: false,
            pending: 0,
            failed: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> FixedOffset {
        Utc.fix()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("timestamp")
    }

    fn line(id: &str, seq: Option<u64>, author: i64, created: &str) -> ChatLine {
        fixtures::line(id, seq, author, at(created))
    }

    #[test]
    fn test_upsert_keeps_the_highest_revision_and_orders_stored_before_unsent() {
        let mut lines = vec![line("a", Some(1), 2, "2026-11-30T10:00:00Z"), line("p", None, 1, "2026-11-30T10:01:00Z")];
        let mut edited = line("a", Some(1), 2, "2026-11-30T10:00:00Z");
        edited.revision = 2;
        edited.body = "edited".into();
        upsert_lines(&mut lines, vec![edited, line("b", Some(2), 3, "2026-11-30T10:02:00Z")]);
        assert_eq!(lines.iter().map(|l| l.client_msg_id.as_str()).collect::<Vec<_>>(), ["a", "b", "p"]);
        assert_eq!(lines[0].body, "edited");
        let stale = line("a", Some(1), 2, "2026-11-30T10:00:00Z");
        upsert_lines(&mut lines, vec![stale, line("p", Some(3), 1, "2026-11-30T10:01:00Z")]);
        assert_eq!(lines[0].body, "edited", "an older revision never overwrites a newer one");
        assert_eq!(lines[2].state, LineState::Sent);
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn test_upsert_keeps_a_stored_line_when_its_pending_copy_arrives_late() {
        // The ack's event reached the view before the send command answered with the pending line.
        let mut lines = vec![line("p", Some(4), 1, "2026-11-30T10:01:00Z")];
        upsert_lines(&mut lines, vec![line("p", None, 1, "2026-11-30T10:01:00Z")]);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].seq, Some(4));
        assert_eq!(lines[0].state, LineState::Sent);
        let mut failed = line("q", None, 1, "2026-11-30T10:02:00Z");
        failed.state = LineState::Failed { code: "rate_limited".into(), message: "Wait.".into() };
        upsert_lines(&mut lines, vec![failed]);
        upsert_lines(&mut lines, vec![line("q", None, 1, "2026-11-30T10:02:00Z")]);
        assert_eq!(lines[1].state, LineState::Pending, "a retried failed line is pending again");
    }

    #[test]
    fn test_rooms_sort_by_last_activity_and_unread_adds_up() {
        let mut rooms = vec![
            fixtures::room(1, "CS 225", Some(at("2026-11-30T09:00:00Z")), 2),
            fixtures::room(2, "PHYS 211", None, 0),
            fixtures::room(3, "MATH 241", Some(at("2026-11-30T10:00:00Z")), 5),
        ];
        sort_rooms(&mut rooms);
        assert_eq!(rooms.iter().map(|room| room.summary.room_id.0).collect::<Vec<_>>(), [3, 1, 2]);
        assert_eq!(total_unread(&rooms), 7);
    }

    #[test]
    fn test_layout_breaks_days_and_groups_one_author_within_minutes() {
        let lines = vec![
            line("a", Some(1), 2, "2026-11-29T23:59:00Z"),
            line("b", Some(2), 2, "2026-11-30T00:01:00Z"),
            line("c", Some(3), 2, "2026-11-30T00:03:00Z"),
            line("d", Some(4), 3, "2026-11-30T00:04:00Z"),
            line("e", Some(5), 3, "2026-11-30T00:30:00Z"),
        ];
        let layout = layout_lines(&lines, utc());
        assert!(layout[0].day_break.is_some() && layout[1].day_break.is_some());
        assert_eq!(layout.iter().map(|l| l.header).collect::<Vec<_>>(), [true, true, false, true, true]);
        assert!(layout[2..].iter().all(|l| l.day_break.is_none()));
    }

    #[test]
    fn test_visible_range_covers_the_viewport_with_overscan() {
        let offsets = offsets(&[10.0; 100]);
        assert_eq!(visible_range(&offsets, 0.0, 50.0, 0), (0, 5));
        assert_eq!(visible_range(&offsets, 995.0, 50.0, 2), (97, 100));
        assert_eq!(visible_range(&offsets, 205.0, 50.0, 3), (17, 29));
        assert_eq!(visible_range(&[0.0], 0.0, 50.0, 3), (0, 0));
    }

    #[test]
    fn test_short_times_read_like_a_chat_list() {
        let now = at("2026-11-30T15:00:00Z");
        assert_eq!(short_time(at("2026-11-30T14:59:30Z"), now, utc()), ShortTime::JustNow);
        assert_eq!(short_time(at("2026-11-30T14:50:00Z"), now, utc()), ShortTime::Minutes(10));
        assert_eq!(short_time(at("2026-11-30T09:05:00Z"), now, utc()), ShortTime::Today("09:05".into()));
        assert_eq!(short_time(at("2026-11-29T09:05:00Z"), now, utc()), ShortTime::Yesterday);
        assert_eq!(short_time(at("2026-11-02T09:05:00Z"), now, utc()), ShortTime::Date { month: 11, day: 2 });
        let today = local_day(now, utc());
        assert_eq!(day_label(today, today), DayLabel::Today);
    }

    #[test]
    fn test_mentions_are_found_inserted_and_highlighted() {
        assert_eq!(mention_query("hi @Mi", 6), Some(MentionQuery { at: 3, query: "Mi".into() }));
        assert_eq!(mention_query("mail@x", 6), None);
        assert_eq!(mention_query("@Mina park", 10), None);
        let query = mention_query("hi @Mi", 6).expect("query");
        assert_eq!(insert_mention("hi @Mi", &query, "Mina Park"), ("hi @Mina Park ".into(), 14));
        let picked = vec![(UserId(2), "Mina Park".to_owned()), (UserId(3), "Jun".to_owned())];
        assert_eq!(kept_mentions("hi @Mina Park see you", &picked), vec![UserId(2)]);
        assert_eq!(
            segments("hi @Mina Park and @bob!", &["Mina Park".into()]),
            vec![
                Segment::Text("hi ".into()),
                Segment::Mention("@Mina Park".into()),
                Segment::Text(" and ".into()),
                Segment::Mention("@bob!".into()),
            ]
        );
        let members = vec![
            RoomMember { user_id: UserId(2), display_name: "Mina Park".into(), online: true },
            RoomMember { user_id: UserId(3), display_name: "Jun".into(), online: false },
        ];
        assert_eq!(mention_candidates(&members, "pa", None).len(), 1);
        assert_eq!(mention_candidates(&members, "", Some(UserId(3))).len(), 1);
    }
}
