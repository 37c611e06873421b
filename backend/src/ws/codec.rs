//! WebSocket framing (RFC 6455) for the chat endpoint: the handshake's accept key, server frames, and
//! the reader that turns a client's bytes into messages.
//!
//! The chat connection frames its socket itself (so fan-out can write prepared frames straight into
//! it), which makes this module the one place that knows the wire format. The reader is built for
//! thousands of mostly idle connections: it validates what it can as soon as a frame's header arrives,
//! refuses oversize messages before their payload is buffered, and holds no heap memory at all once
//! everything it was given has been read.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::{BufMut, Bytes, BytesMut};
use sha1::{Digest, Sha1};

/// Appended to the client's key before hashing (RFC 6455 section 1.3).
const HANDSHAKE_GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Control frames carry at most this many payload bytes (RFC 6455 section 5.5).
const MAX_CONTROL_PAYLOAD: usize = 125;
/// The longest frame header: 2 fixed bytes, a 64-bit length and a 4-byte mask key.
const MAX_HEADER_LEN: usize = 14;

const FIN_BIT: u8 = 0x80;
const RSV_BITS: u8 = 0x70;
const OPCODE_BITS: u8 = 0x0F;
const MASK_BIT: u8 = 0x80;
const LENGTH_BITS: u8 = 0x7F;
/// 7-bit length values announcing a 16-bit or 64-bit extended length.
const LENGTH_16_BIT: u8 = 126;
const LENGTH_64_BIT: u8 = 127;

/// Leftover capacity worth giving back when the read buffer is compacted: a large message read
/// earlier must not stay reserved by a connection that has gone quiet.
const SPARE_BUFFER_BYTES: usize = 4 * 1024;

/// The `Sec-WebSocket-Accept` value answering a handshake's `Sec-WebSocket-Key` (base64 of SHA-1 of key + the RFC's GUID).
pub fn accept_key(key: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(key);
    hasher.update(HANDSHAKE_GUID);
    BASE64.encode(hasher.finalize())
}

/// A final, unmasked text frame carrying `payload`, which the caller guarantees is UTF-8.
pub fn text_frame(payload: &[u8]) -> Bytes {
    server_frame(Opcode::Text, payload)
}

/// The payload of a frame built here (a server frame: unmasked, so the payload follows the length).
pub fn server_payload(frame: &[u8]) -> &[u8] {
    let header = match frame.get(1).map(|b| b & 0x7f) {
        Some(126) => 4,
        Some(127) => 10,
        Some(_) => 2,
        None => frame.len(),
    };
    frame.get(header..).unwrap_or_default()
}

/// A ping frame; a payload over 125 bytes is truncated, as control frames cannot carry more.
pub fn ping_frame(payload: &[u8]) -> Bytes {
    server_frame(Opcode::Ping, truncate_control_payload(payload))
}

/// A pong frame; a payload over 125 bytes is truncated, as control frames cannot carry more.
pub fn pong_frame(payload: &[u8]) -> Bytes {
    server_frame(Opcode::Pong, truncate_control_payload(payload))
}

/// A close frame with `code` and as much of `reason` as fits in 125 bytes, cut at a char boundary.
pub fn close_frame(code: u16, reason: &str) -> Bytes {
    let reason = &reason[..reason.floor_char_boundary(MAX_CONTROL_PAYLOAD - 2)];
    let mut payload = Vec::with_capacity(2 + reason.len());
    payload.extend_from_slice(&code.to_be_bytes());
    payload.extend_from_slice(reason.as_bytes());
    server_frame(Opcode::Close, &payload)
}

fn truncate_control_payload(payload: &[u8]) -> &[u8] {
    &payload[..payload.len().min(MAX_CONTROL_PAYLOAD)]
}

/// Servers never mask (RFC 6455 section 5.1) and never fragment what they send.
fn server_frame(opcode: Opcode, payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(MAX_HEADER_LEN + payload.len());
    frame.put_u8(FIN_BIT | opcode as u8);
    let len = payload.len();
    if let Ok(short) = u8::try_from(len)
        && short < LENGTH_16_BIT
    {
        frame.put_u8(short);
    } else if let Ok(medium) = u16::try_from(len) {
        frame.put_u8(LENGTH_16_BIT);
        frame.put_u16(medium);
    } else {
        frame.put_u8(LENGTH_64_BIT);
        frame.put_u64(len as u64);
    }
    frame.put_slice(payload);
    frame.freeze()
}

/// One complete message or control frame from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// A text message, reassembled and checked to be UTF-8.
    Text(String),
    /// A binary message, reassembled.
    Binary(Vec<u8>),
    /// A ping, whose payload the pong must echo.
    Ping(Vec<u8>),
    /// A pong; its payload is of no use to the server and is dropped.
    Pong,
    /// The client's close frame with its status code, if it sent one.
    Close(Option<u16>),
}

/// Why the client's byte stream cannot be read on (after any of these the reader is done: the connection closes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A message (a frame's declared length, or a fragmented message's total so far) over the reader's limit; carries the length seen.
    #[error("websocket message of {0} bytes is over the size limit")]
    TooLarge(u64),
    /// A text message (or a close reason) that is not UTF-8.
    #[error("websocket text message or close reason is not valid UTF-8")]
    InvalidUtf8,
    /// Anything else RFC 6455 forbids; carries a short lowercase description.
    #[error("websocket protocol violation: {0}")]
    Protocol(&'static str),
}

impl FrameError {
    /// The close code to answer with: 1009 for TooLarge, 1007 for InvalidUtf8, 1002 for Protocol.
    pub fn close_code(&self) -> u16 {
        match self {
            Self::TooLarge(_) => 1009,
            Self::InvalidUtf8 => 1007,
            Self::Protocol(_) => 1002,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opcode {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

impl Opcode {
    fn from_bits(bits: u8) -> Result<Self, FrameError> {
        match bits {
            0x0 => Ok(Self::Continuation),
            0x1 => Ok(Self::Text),
            0x2 => Ok(Self::Binary),
            0x8 => Ok(Self::Close),
            0x9 => Ok(Self::Ping),
            0xA => Ok(Self::Pong),
            _ => Err(FrameError::Protocol("reserved opcode")),
        }
    }

    fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }
}

/// What a frame header says, once all of it (mask key included) has arrived.
#[derive(Debug)]
struct FrameHeader {
    fin: bool,
    opcode: Opcode,
    mask: [u8; 4],
    /// Already checked against the size limit, so it fits in memory.
    payload_len: usize,
    header_len: usize,
}

/// A data message whose first frame had FIN clear, waiting for its continuation frames.
#[derive(Debug)]
struct PartialMessage {
    is_text: bool,
    payload: Vec<u8>,
}

/// Turns the bytes a client sends into messages, reassembling fragmented ones.
#[derive(Debug)]
pub struct FrameReader {
    max_message: usize,
    /// Bytes received and not yet consumed start at `consumed`; the prefix before it is dropped on
    /// compaction rather than after every frame, so a burst of small frames is not copied over and over.
    buffer: Vec<u8>,
    consumed: usize,
    partial: Option<PartialMessage>,
    /// Once the stream is broken nothing after the fault can be trusted, so every later call repeats it.
    failed: Option<FrameError>,
}

impl FrameReader {
    /// A reader refusing messages over `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Self { max_message, buffer: Vec::new(), consumed: 0, partial: None, failed: None }
    }

    /// Appends bytes just read from the socket.
    pub fn extend(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buffer.extend_from_slice(bytes);
        }
    }

    /// The next complete message or control frame, `Ok(None)` when more bytes are needed.
    pub fn next_message(&mut self) -> Result<Option<Inbound>, FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        let result = self.read_message();
        if let Err(error) = &result {
            self.failed = Some(error.clone());
            self.buffer = Vec::new();
            self.consumed = 0;
            self.partial = None;
        }
        result
    }

    fn read_message(&mut self) -> Result<Option<Inbound>, FrameError> {
        loop {
            let Some(header) = self.read_header()? else {
                self.compact();
                return Ok(None);
            };
            let payload_start = self.consumed + header.header_len;
            let payload_end = payload_start.saturating_add(header.payload_len);
            let Some(masked) = self.buffer.get(payload_start..payload_end) else {
                self.compact();
                return Ok(None);
            };

            let message = match header.opcode {
                Opcode::Close | Opcode::Ping | Opcode::Pong => {
                    Some(control_message(header.opcode, &unmasked(masked, header.mask))?)
                }
                Opcode::Text | Opcode::Binary if header.fin => {
                    Some(data_message(header.opcode == Opcode::Text, unmasked(masked, header.mask))?)
                }
                Opcode::Text | Opcode::Binary => {
                    let payload = unmasked(masked, header.mask);
                    self.partial = Some(PartialMessage { is_text: header.opcode == Opcode::Text, payload });
                    None
                }
                Opcode::Continuation => {
                    let partial =
                        self.partial.as_mut().ok_or(FrameError::Protocol("continuation without a message"))?;
                    let start = partial.payload.len();
                    partial.payload.extend_from_slice(masked);
                    unmask(&mut partial.payload[start..], header.mask);
                    match self.partial.take_if(|_| header.fin) {
                        Some(complete) => Some(data_message(complete.is_text, complete.payload)?),
                        None => None,
                    }
                }
            };

            self.consume(payload_end);
            if message.is_some() {
                return Ok(message);
            }
        }
    }

    /// The header of the frame at the read position, `Ok(None)` while it is incomplete. Every check that
    /// needs only the first bytes runs as soon as they are here, so an oversize or malformed frame is
    /// refused before its payload is waited for.
    fn read_header(&self) -> Result<Option<FrameHeader>, FrameError> {
        let bytes = &self.buffer[self.consumed..];
        let &[first, second, ..] = bytes else {
            return Ok(None);
        };
        if first & RSV_BITS != 0 {
            return Err(FrameError::Protocol("reserved bits set without an extension"));
        }
        if second & MASK_BIT == 0 {
            return Err(FrameError::Protocol("client frame is not masked"));
        }
        let fin = first & FIN_BIT != 0;
        let opcode = Opcode::from_bits(first & OPCODE_BITS)?;
        self.check_sequence(opcode, fin)?;

        let (declared_len, len_end) = match second & LENGTH_BITS {
            LENGTH_16_BIT => match bytes.get(2..).and_then(<[u8]>::first_chunk) {
                Some(extended) => (u64::from(u16::from_be_bytes(*extended)), 4),
                None => return Ok(None),
            },
            LENGTH_64_BIT => match bytes.get(2..).and_then(<[u8]>::first_chunk) {
                Some(extended) => (u64::from_be_bytes(*extended), 10),
                None => return Ok(None),
            },
            short => (u64::from(short), 2),
        };
        if declared_len >> 63 != 0 {
            return Err(FrameError::Protocol("64-bit length with the most significant bit set"));
        }
        let payload_len = self.check_length(opcode, declared_len)?;

        let Some(&mask) = bytes.get(len_end..).and_then(<[u8]>::first_chunk) else {
            return Ok(None);
        };
        Ok(Some(FrameHeader { fin, opcode, mask, payload_len, header_len: len_end + mask.len() }))
    }

    /// Whether a frame may come next, given the fragmented message (if any) in progress.
    fn check_sequence(&self, opcode: Opcode, fin: bool) -> Result<(), FrameError> {
        match opcode {
            _ if opcode.is_control() && !fin => Err(FrameError::Protocol("fragmented control frame")),
            Opcode::Continuation if self.partial.is_none() => {
                Err(FrameError::Protocol("continuation without a message"))
            }
            Opcode::Text | Opcode::Binary if self.partial.is_some() => {
                Err(FrameError::Protocol("new message before the fragmented one finished"))
            }
            _ => Ok(()),
        }
    }

    /// The payload length as `usize` once it is known to be allowed.
    fn check_length(&self, opcode: Opcode, declared_len: u64) -> Result<usize, FrameError> {
        if opcode.is_control() {
            return match usize::try_from(declared_len) {
                Ok(len) if len <= MAX_CONTROL_PAYLOAD => Ok(len),
                _ => Err(FrameError::Protocol("control frame payload over 125 bytes")),
            };
        }
        let already_held = self.partial.as_ref().map_or(0, |partial| partial.payload.len() as u64);
        let message_len = already_held.saturating_add(declared_len);
        if message_len > self.max_message as u64 {
            return Err(FrameError::TooLarge(message_len));
        }
        usize::try_from(declared_len).map_err(|_| FrameError::TooLarge(message_len))
    }

    fn consume(&mut self, end: usize) {
        self.consumed = end;
        if self.consumed == self.buffer.len() {
            // Dropping the Vec, not clearing it: an idle connection then holds no heap memory.
            self.buffer = Vec::new();
            self.consumed = 0;
        }
    }

    /// Moves the start of an incomplete frame to the front. It runs only when the reader runs out of
    /// whole frames (once per socket read), not after every frame, and never while a large frame is
    /// still arriving (nothing consumed), so no byte is copied more than once per read.
    fn compact(&mut self) {
        if self.consumed == 0 {
            return;
        }
        self.buffer.drain(..self.consumed);
        self.consumed = 0;
        if self.buffer.capacity() > self.buffer.len() + SPARE_BUFFER_BYTES {
            self.buffer.shrink_to(self.buffer.len());
        }
    }
}

fn unmasked(masked: &[u8], mask: [u8; 4]) -> Vec<u8> {
    let mut payload = masked.to_vec();
    unmask(&mut payload, mask);
    payload
}

/// Masking is XOR with the key repeated from the payload's first byte (RFC 6455 section 5.3).
fn unmask(payload: &mut [u8], mask: [u8; 4]) {
    for (byte, key) in payload.iter_mut().zip(mask.iter().cycle()) {
        *byte ^= key;
    }
}

fn data_message(is_text: bool, payload: Vec<u8>) -> Result<Inbound, FrameError> {
    if is_text {
        String::from_utf8(payload).map(Inbound::Text).map_err(|_| FrameError::InvalidUtf8)
    } else {
        Ok(Inbound::Binary(payload))
    }
}

fn control_message(opcode: Opcode, payload: &[u8]) -> Result<Inbound, FrameError> {
    match opcode {
        Opcode::Ping => Ok(Inbound::Ping(payload.to_vec())),
        Opcode::Pong => Ok(Inbound::Pong),
        _ => close_message(payload),
    }
}

fn close_message(payload: &[u8]) -> Result<Inbound, FrameError> {
    match *payload {
        [] => Ok(Inbound::Close(None)),
        [_] => Err(FrameError::Protocol("close payload of a single byte")),
        [high, low, ref reason @ ..] => {
            let code = u16::from_be_bytes([high, low]);
            if !is_sendable_close_code(code) {
                return Err(FrameError::Protocol("close code not allowed on the wire"));
            }
            std::str::from_utf8(reason).map_err(|_| FrameError::InvalidUtf8)?;
            Ok(Inbound::Close(Some(code)))
        }
    }
}

/// Codes a peer may put in a close frame: the defined ones minus those reserved for local use
/// (1004-1006, 1015), and the ranges for libraries and applications (RFC 6455 section 7.4).
fn is_sendable_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Not the RFC's example key: every byte differs and none is zero, so a frame unmasked with the
    /// wrong key offset cannot read back correctly.
    const MASK: [u8; 4] = [0xA7, 0x3C, 0x5E, 0x91];

    const OP_CONTINUATION: u8 = 0x0;
    const OP_TEXT: u8 = 0x1;
    const OP_BINARY: u8 = 0x2;
    const OP_CLOSE: u8 = 0x8;
    const OP_PING: u8 = 0x9;
    const OP_PONG: u8 = 0xA;

    /// A masked client frame; `first_byte` is FIN, RSV and opcode as they go on the wire.
    fn masked_frame(first_byte: u8, payload: &[u8]) -> Vec<u8> {
        let mut frame = vec![first_byte];
        match payload.len() {
            len @ 0..=125 => frame.push(MASK_BIT | u8::try_from(len).expect("short length")),
            len @ 126..=0xFFFF => {
                frame.push(MASK_BIT | LENGTH_16_BIT);
                frame.extend_from_slice(&u16::try_from(len).expect("16-bit length").to_be_bytes());
            }
            len => {
                frame.push(MASK_BIT | LENGTH_64_BIT);
                frame.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&MASK);
        frame.extend(payload.iter().zip(MASK.iter().cycle()).map(|(byte, key)| byte ^ key));
        frame
    }

    /// A final client frame.
    fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
        masked_frame(FIN_BIT | opcode, payload)
    }

    /// A client frame with FIN clear.
    fn fragment(opcode: u8, payload: &[u8]) -> Vec<u8> {
        masked_frame(opcode, payload)
    }

    /// Every message the reader yields from `bytes`, or the first error.
    fn read_all(reader: &mut FrameReader, bytes: &[u8]) -> Result<Vec<Inbound>, FrameError> {
        reader.extend(bytes);
        let mut messages = Vec::new();
        while let Some(message) = reader.next_message()? {
            messages.push(message);
        }
        Ok(messages)
    }

    fn read_one(bytes: &[u8]) -> Result<Inbound, FrameError> {
        let mut messages = read_all(&mut FrameReader::new(1 << 20), bytes)?;
        assert_eq!(messages.len(), 1, "expected exactly one message, got {messages:?}");
        Ok(messages.remove(0))
    }

    fn assert_protocol_error(bytes: &[u8]) {
        let result = read_all(&mut FrameReader::new(1 << 20), bytes);
        assert!(matches!(result, Err(FrameError::Protocol(_))), "expected a protocol error, got {result:?}");
    }

    #[test]
    fn test_accept_key_matches_rfc_example() {
        assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn test_server_frames_use_shortest_length_encoding() {
        let cases: [(usize, &[u8]); 5] = [
            (0, &[0x81, 0]),
            (125, &[0x81, 125]),
            (126, &[0x81, 126, 0x00, 0x7E]),
            (65535, &[0x81, 126, 0xFF, 0xFF]),
            (65536, &[0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]),
        ];
        for (len, header) in cases {
            let payload = vec![b'x'; len];
            let frame = text_frame(&payload);
            assert_eq!(&frame[..header.len()], header, "header for a {len}-byte payload");
            assert_eq!(&frame[header.len()..], &payload[..], "payload for a {len}-byte payload");
        }
    }

    #[test]
    fn test_control_frames_truncate_payload_to_125_bytes() {
        let long = [7u8; 200];
        for (frame, opcode) in [(ping_frame(&long), OP_PING), (pong_frame(&long), OP_PONG)] {
            assert_eq!(frame[0], FIN_BIT | opcode);
            assert_eq!(frame[1], 125);
            assert_eq!(frame.len(), 2 + 125);
        }
        assert_eq!(&ping_frame(b"hi")[..], &[FIN_BIT | OP_PING, 2, b'h', b'i']);
    }

    #[test]
    fn test_close_frame_cuts_reason_at_char_boundary() {
        assert_eq!(&close_frame(1000, "")[..], &[FIN_BIT | OP_CLOSE, 2, 0x03, 0xE8]);
        assert_eq!(&close_frame(4001, "bye")[..], &[FIN_BIT | OP_CLOSE, 5, 0x0F, 0xA1, b'b', b'y', b'e']);

        // 122 ASCII bytes then a 2-byte char: the char would end at byte 124 of a 123-byte budget.
        let reason = format!("{}é", "a".repeat(122));
        let frame = close_frame(1001, &reason);
        assert_eq!(frame[1], 2 + 122);
        assert_eq!(&frame[4..], "a".repeat(122).as_bytes());

        let long_reason = "ü".repeat(100);
        let frame = close_frame(1011, &long_reason);
        assert!(usize::from(frame[1]) <= MAX_CONTROL_PAYLOAD);
        assert!(std::str::from_utf8(&frame[4..]).is_ok());
        assert_eq!(frame[1], 2 + 122);
    }

    #[test]
    fn test_text_message_fed_one_byte_at_a_time() {
        let bytes = frame(OP_TEXT, "héllo, wörld".as_bytes());
        let mut reader = FrameReader::new(1024);
        let (last, head) = bytes.split_last().expect("non-empty frame");
        for byte in head {
            assert_eq!(read_all(&mut reader, std::slice::from_ref(byte)), Ok(vec![]));
        }
        assert_eq!(read_all(&mut reader, &[*last]), Ok(vec![Inbound::Text("héllo, wörld".into())]));
    }

    #[test]
    fn test_two_frames_in_one_read() {
        let mut bytes = frame(OP_TEXT, b"first");
        bytes.extend(frame(OP_BINARY, &[1, 2, 3]));
        let messages = read_all(&mut FrameReader::new(1024), &bytes);
        assert_eq!(messages, Ok(vec![Inbound::Text("first".into()), Inbound::Binary(vec![1, 2, 3])]));
    }

    #[test]
    fn test_frames_split_at_every_size_read_back_the_same() {
        let mut bytes = frame(OP_TEXT, b"one");
        bytes.extend(fragment(OP_BINARY, &[9; 130]));
        bytes.extend(frame(OP_PING, b"p"));
        bytes.extend(frame(OP_CONTINUATION, &[8; 5]));
        bytes.extend(frame(OP_CLOSE, &1000u16.to_be_bytes()));
        let mut whole = [9u8; 135];
        whole[130..].fill(8);
        let expected = vec![
            Inbound::Text("one".into()),
            Inbound::Ping(b"p".to_vec()),
            Inbound::Binary(whole.to_vec()),
            Inbound::Close(Some(1000)),
        ];
        for chunk_len in 1..=bytes.len() {
            let mut reader = FrameReader::new(1024);
            let mut messages = Vec::new();
            for chunk in bytes.chunks(chunk_len) {
                messages.extend(read_all(&mut reader, chunk).expect("valid frames"));
            }
            assert_eq!(messages, expected, "read in chunks of {chunk_len}");
        }
    }

    #[test]
    fn test_16_bit_length() {
        let payload: Vec<u8> = (0..300u16).map(|i| (i % 251) as u8).collect();
        let bytes = frame(OP_BINARY, &payload);
        assert_eq!(bytes[1], MASK_BIT | LENGTH_16_BIT);
        assert_eq!(read_one(&bytes), Ok(Inbound::Binary(payload)));
    }

    #[test]
    fn test_64_bit_length() {
        let payload: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
        let bytes = frame(OP_BINARY, &payload);
        assert_eq!(bytes[1], MASK_BIT | LENGTH_64_BIT);
        assert_eq!(read_one(&bytes), Ok(Inbound::Binary(payload)));
    }

    #[test]
    fn test_non_minimal_length_is_accepted() {
        let mut bytes = vec![FIN_BIT | OP_TEXT, MASK_BIT | LENGTH_64_BIT, 0, 0, 0, 0, 0, 0, 0, 2];
        bytes.extend_from_slice(&MASK);
        bytes.extend([b'o' ^ MASK[0], b'k' ^ MASK[1]]);
        assert_eq!(read_one(&bytes), Ok(Inbound::Text("ok".into())));
    }

    #[test]
    fn test_64_bit_length_with_top_bit_is_protocol_error() {
        assert_protocol_error(&[FIN_BIT | OP_BINARY, MASK_BIT | LENGTH_64_BIT, 0x80, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn test_fragmented_text_with_ping_between_fragments() {
        let mut bytes = fragment(OP_TEXT, b"hello ");
        bytes.extend(frame(OP_PING, b"are you there"));
        bytes.extend(fragment(OP_CONTINUATION, b"wide "));
        bytes.extend(frame(OP_PONG, b"ignored"));
        bytes.extend(frame(OP_CONTINUATION, b"world"));
        let messages = read_all(&mut FrameReader::new(1024), &bytes);
        assert_eq!(
            messages,
            Ok(vec![Inbound::Ping(b"are you there".to_vec()), Inbound::Pong, Inbound::Text("hello wide world".into())])
        );
    }

    #[test]
    fn test_utf8_split_across_fragments() {
        let text = "grüße 🥨";
        let bytes_of_text = text.as_bytes();
        // Cut inside the 2-byte "ü" and inside the 4-byte pretzel.
        let mut bytes = fragment(OP_TEXT, &bytes_of_text[..3]);
        bytes.extend(fragment(OP_CONTINUATION, &bytes_of_text[3..10]));
        bytes.extend(frame(OP_CONTINUATION, &bytes_of_text[10..]));
        assert_eq!(read_one(&bytes), Ok(Inbound::Text(text.into())));
    }

    #[test]
    fn test_invalid_utf8_text_is_rejected() {
        let result = read_all(&mut FrameReader::new(1024), &frame(OP_TEXT, &[b'a', 0xFF, b'b']));
        assert_eq!(result, Err(FrameError::InvalidUtf8));

        // A sequence left unfinished by the final fragment.
        let mut bytes = fragment(OP_TEXT, b"ok");
        bytes.extend(frame(OP_CONTINUATION, &"é".as_bytes()[..1]));
        assert_eq!(read_all(&mut FrameReader::new(1024), &bytes), Err(FrameError::InvalidUtf8));
    }

    #[test]
    fn test_binary_message_is_not_checked_for_utf8() {
        assert_eq!(read_one(&frame(OP_BINARY, &[0xFF, 0xFE])), Ok(Inbound::Binary(vec![0xFF, 0xFE])));
    }

    #[test]
    fn test_unmasked_frame_is_protocol_error() {
        assert_protocol_error(&[FIN_BIT | OP_TEXT, 2, b'h', b'i']);
    }

    #[test]
    fn test_rsv_bit_is_protocol_error() {
        for rsv in [0x40, 0x20, 0x10] {
            assert_protocol_error(&masked_frame(FIN_BIT | rsv | OP_TEXT, b"hi"));
        }
    }

    #[test]
    fn test_reserved_opcode_is_protocol_error() {
        for opcode in (0x3..=0x7).chain(0xB..=0xF) {
            assert_protocol_error(&frame(opcode, b"hi"));
        }
    }

    #[test]
    fn test_fragmented_control_frame_is_protocol_error() {
        for opcode in [OP_CLOSE, OP_PING, OP_PONG] {
            assert_protocol_error(&fragment(opcode, b""));
        }
    }

    #[test]
    fn test_long_control_frame_is_protocol_error() {
        assert_eq!(read_one(&frame(OP_PING, &[1; 125])), Ok(Inbound::Ping(vec![1; 125])));
        for opcode in [OP_CLOSE, OP_PING, OP_PONG] {
            assert_protocol_error(&frame(opcode, &[1; 126]));
        }
    }

    #[test]
    fn test_stray_continuation_is_protocol_error() {
        assert_protocol_error(&frame(OP_CONTINUATION, b"orphan"));
        let mut after_complete_message = frame(OP_TEXT, b"done");
        after_complete_message.extend(frame(OP_CONTINUATION, b"orphan"));
        assert_protocol_error(&after_complete_message);
    }

    #[test]
    fn test_new_message_during_fragmented_one_is_protocol_error() {
        for opcode in [OP_TEXT, OP_BINARY] {
            let mut bytes = fragment(OP_TEXT, b"first half");
            bytes.extend(frame(opcode, b"interloper"));
            assert_protocol_error(&bytes);
        }
    }

    #[test]
    fn test_oversize_frame_detected_from_header_alone() {
        let bytes = frame(OP_BINARY, &[0; 1000]);
        let mut reader = FrameReader::new(999);
        // Only the two fixed bytes and the 16-bit length: not even the mask key.
        reader.extend(&bytes[..4]);
        assert_eq!(reader.next_message(), Err(FrameError::TooLarge(1000)));

        let mut exactly_at_limit = FrameReader::new(1000);
        assert_eq!(read_all(&mut exactly_at_limit, &bytes), Ok(vec![Inbound::Binary(vec![0; 1000])]));
    }

    #[test]
    fn test_fragmented_message_over_limit_is_too_large() {
        let mut reader = FrameReader::new(10);
        assert_eq!(read_all(&mut reader, &fragment(OP_TEXT, b"123456")), Ok(vec![]));
        let next = frame(OP_CONTINUATION, b"78901");
        reader.extend(&next[..2]);
        assert_eq!(reader.next_message(), Err(FrameError::TooLarge(11)));
    }

    #[test]
    fn test_error_ends_the_reader() {
        let mut reader = FrameReader::new(1024);
        let mut bytes = frame(OP_CONTINUATION, b"orphan");
        bytes.extend(frame(OP_TEXT, b"valid after the fault"));
        let error = read_all(&mut reader, &bytes).expect_err("stray continuation");
        assert_eq!(reader.next_message(), Err(error.clone()));
        reader.extend(&frame(OP_TEXT, b"more"));
        assert_eq!(reader.next_message(), Err(error));
        assert_eq!(reader.buffer.capacity(), 0);
    }

    #[test]
    fn test_close_without_code() {
        assert_eq!(read_one(&frame(OP_CLOSE, b"")), Ok(Inbound::Close(None)));
    }

    #[test]
    fn test_close_with_code_and_reason() {
        let mut payload = 1001u16.to_be_bytes().to_vec();
        payload.extend_from_slice("tschüss".as_bytes());
        assert_eq!(read_one(&frame(OP_CLOSE, &payload)), Ok(Inbound::Close(Some(1001))));
        assert_eq!(read_one(&frame(OP_CLOSE, &4999u16.to_be_bytes())), Ok(Inbound::Close(Some(4999))));
    }

    #[test]
    fn test_close_with_bad_code_is_protocol_error() {
        for code in [0, 999, 1004, 1005, 1006, 1015, 2999, 5000, u16::MAX] {
            assert_protocol_error(&frame(OP_CLOSE, &code.to_be_bytes()));
        }
    }

    #[test]
    fn test_close_with_one_byte_is_protocol_error() {
        assert_protocol_error(&frame(OP_CLOSE, &[0x03]));
    }

    #[test]
    fn test_close_reason_not_utf8_is_invalid_utf8() {
        let payload = [0x03, 0xE8, 0xC3];
        assert_eq!(read_all(&mut FrameReader::new(1024), &frame(OP_CLOSE, &payload)), Err(FrameError::InvalidUtf8));
    }

    #[test]
    fn test_close_codes_for_errors() {
        assert_eq!(FrameError::TooLarge(1).close_code(), 1009);
        assert_eq!(FrameError::InvalidUtf8.close_code(), 1007);
        assert_eq!(FrameError::Protocol("x").close_code(), 1002);
    }

    #[test]
    fn test_reader_holds_no_allocation_after_consuming_everything() {
        let mut reader = FrameReader::new(1024);
        let mut bytes = frame(OP_TEXT, b"one");
        bytes.extend(frame(OP_TEXT, b"two"));
        assert_eq!(read_all(&mut reader, &bytes).map(|messages| messages.len()), Ok(2));
        assert_eq!(reader.buffer.capacity(), 0);

        let mut fragmented = fragment(OP_BINARY, &[1; 40]);
        fragmented.extend(frame(OP_CONTINUATION, &[2; 40]));
        assert_eq!(read_all(&mut reader, &fragmented).map(|messages| messages.len()), Ok(1));
        assert_eq!(reader.buffer.capacity(), 0);
        assert!(reader.partial.is_none());
    }

    #[test]
    fn test_reader_keeps_only_the_partial_frame() {
        let mut reader = FrameReader::new(1 << 20);
        let next = frame(OP_TEXT, b"second message");
        let mut bytes = frame(OP_BINARY, &[5; 20_000]);
        bytes.extend_from_slice(&next[..7]);
        assert_eq!(read_all(&mut reader, &bytes).map(|messages| messages.len()), Ok(1));
        assert_eq!(reader.buffer, next[..7]);
        assert!(reader.buffer.capacity() < 20_000, "capacity {} kept after compaction", reader.buffer.capacity());

        assert_eq!(read_all(&mut reader, &next[7..]), Ok(vec![Inbound::Text("second message".into())]));
        assert_eq!(reader.buffer.capacity(), 0);
    }

    #[test]
    fn test_pending_fragment_is_held_until_the_message_completes() {
        let mut reader = FrameReader::new(1024);
        assert_eq!(read_all(&mut reader, &fragment(OP_TEXT, b"abc")), Ok(vec![]));
        assert_eq!(reader.buffer.capacity(), 0);
        assert_eq!(reader.partial.as_ref().map(|partial| partial.payload.clone()), Some(b"abc".to_vec()));
        assert_eq!(read_all(&mut reader, &frame(OP_CONTINUATION, b"def")), Ok(vec![Inbound::Text("abcdef".into())]));
        assert!(reader.partial.is_none());
    }
}
