//! Reading client frames and checking their fields: every way a frame can be wrong becomes one
//! [`ChatError`] with its stable code, before anything touches storage.

use pretzel_api::chat::{MAX_CLIENT_MSG_ID_CHARS, MAX_HISTORY_PAGE, MAX_MENTIONS, MAX_MESSAGE_CHARS};
use pretzel_api::{ChatError, ChatErrorCode, ClientFrame, MessageId, RoomId};

/// Builds error frames with their context.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    client_msg_id: Option<String>,
    room_id: Option<RoomId>,
    message_id: Option<MessageId>,
}

impl Refusal {
    /// An error about no particular send, room or message.
    pub fn bare() -> Self {
        Self::default()
    }

    /// An error answering the send with this id to this room.
    pub fn send(client_msg_id: &str, room_id: RoomId) -> Self {
        Self { client_msg_id: Some(client_msg_id.to_owned()), room_id: Some(room_id), message_id: None }
    }

    /// An error about a room.
    pub fn room(room_id: RoomId) -> Self {
        Self { room_id: Some(room_id), ..Self::default() }
    }

    /// An error about a message.
    pub fn message(message_id: MessageId) -> Self {
        Self { message_id: Some(message_id), ..Self::default() }
    }

    /// The error frame's body.
    pub fn error(&self, code: ChatErrorCode, message: impl Into<String>) -> ChatError {
        ChatError {
            code,
            message: message.into(),
            client_msg_id: self.client_msg_id.clone(),
            room_id: self.room_id,
            message_id: self.message_id,
            retry_after_secs: None,
        }
    }
}

/// Parses one frame's text.
pub fn parse(text: &str) -> Result<ClientFrame, ChatError> {
    serde_json::from_str(text).map_err(|e| {
        Refusal::bare().error(ChatErrorCode::InvalidJson, format!("The frame is not a valid client frame: {e}"))
    })
}

/// Parses a binary frame: UTF-8 JSON like a text frame.
pub fn parse_binary(bytes: &[u8]) -> Result<ClientFrame, ChatError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Refusal::bare().error(ChatErrorCode::InvalidUtf8, format!("The frame is not UTF-8: {e}")))?;
    parse(text)
}

/// Checks a message body (for sends and edits).
pub fn check_body(body: &str, refusal: &Refusal) -> Result<(), ChatError> {
    if body.trim().is_empty() {
        return Err(refusal.error(ChatErrorCode::EmptyMessage, "Write something first."));
    }
    let chars = body.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(refusal.error(
            ChatErrorCode::TooLong,
            format!("The message has {chars} characters; at most {MAX_MESSAGE_CHARS} fit."),
        ));
    }
    Ok(())
}

/// Checks the fields of a send other than the body.
pub fn check_send(client_msg_id: &str, mentions: usize, refusal: &Refusal) -> Result<(), ChatError> {
    let id_chars = client_msg_id.chars().count();
    if id_chars == 0 || id_chars > MAX_CLIENT_MSG_ID_CHARS {
        return Err(refusal.error(
            ChatErrorCode::InvalidRequest,
            format!("client_msg_id must have 1 to {MAX_CLIENT_MSG_ID_CHARS} characters."),
        ));
    }
    if mentions > MAX_MENTIONS {
        return Err(refusal.error(ChatErrorCode::InvalidRequest, format!("At most {MAX_MENTIONS} mentions fit.")));
    }
    Ok(())
}

/// The history page size a request asks for, checked.
pub fn history_limit(limit: Option<u32>, refusal: &Refusal) -> Result<u32, ChatError> {
    match limit {
        None => Ok(pretzel_api::chat::DEFAULT_HISTORY_PAGE),
        Some(limit) if (1..=MAX_HISTORY_PAGE).contains(&limit) => Ok(limit),
        Some(_) => Err(refusal.error(ChatErrorCode::InvalidRequest, format!("limit must be 1 to {MAX_HISTORY_PAGE}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bodies_are_counted_in_characters_not_bytes() {
        let refusal = Refusal::send("c", RoomId(1));
        assert!(check_body(&"한".repeat(MAX_MESSAGE_CHARS), &refusal).is_ok());
        let err = check_body(&"한".repeat(MAX_MESSAGE_CHARS + 1), &refusal).expect_err("too long");
        assert_eq!(err.code, ChatErrorCode::TooLong);
        assert_eq!(err.client_msg_id.as_deref(), Some("c"));
        assert_eq!(check_body(" \n ", &refusal).expect_err("blank").code, ChatErrorCode::EmptyMessage);
    }

    #[test]
    fn test_bad_frames_get_their_codes() {
        assert_eq!(parse("{").expect_err("syntax").code, ChatErrorCode::InvalidJson);
        assert_eq!(parse(r#"{"type":"send"}"#).expect_err("fields").code, ChatErrorCode::InvalidJson);
        assert_eq!(parse_binary(&[0xff, 0xfe]).expect_err("utf8").code, ChatErrorCode::InvalidUtf8);
        assert!(matches!(parse_binary(br#"{"type":"rooms"}"#), Ok(ClientFrame::Rooms)));
        assert_eq!(check_send("", 0, &Refusal::bare()).expect_err("empty id").code, ChatErrorCode::InvalidRequest);
        assert_eq!(history_limit(Some(0), &Refusal::bare()).expect_err("zero").code, ChatErrorCode::InvalidRequest);
        assert_eq!(history_limit(None, &Refusal::bare()), Ok(pretzel_api::chat::DEFAULT_HISTORY_PAGE));
    }
}
