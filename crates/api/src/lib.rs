//! Pretzel's wire contract, written once for the backend, the native client core and the wasm UI.
//!
//! Every REST request sits next to its response; ids are newtypes so a `UserId` can never be passed
//! where a `UniversityId` is meant. The crate depends on serde (and chrono for timestamps) only, so it
//! builds for `wasm32-unknown-unknown` as well as natively. With the `openapi` feature the types also
//! derive their OpenAPI schemas, which the backend publishes at `/api/openapi.json`.

pub mod auth;
pub mod catalog;
pub mod error;
pub mod ids;
pub mod shell;
pub mod system;
pub mod timetable;
pub mod universities;
pub mod users;

pub use auth::{LoginRequest, LogoutResponse, RefreshRequest, SignupRequest, TokenResponse};
pub use catalog::{SearchHit, SearchMeeting, SearchQuery, SearchResponse, Term};
pub use error::{ErrorBody, ErrorCode, ErrorDetail, FieldError};
pub use ids::{CustomBlockId, SectionId, TermId, TimetableId, UniversityId, UserId};
pub use system::HealthResponse;
pub use timetable::{
    AddSections, CalendarSubscription, Conflict, ConflictItem, ConflictRefusal, CreateCustomBlock, CreateTimetable,
    CreditSummary, CustomBlock, Meeting, MissingComponent, TermTimetables, Timetable, TimetableSection,
    UpdateTimetable,
};
pub use universities::University;
pub use users::{Me, UpdateMe};

/// Path prefix of every versioned REST route.
pub const API_PREFIX: &str = "/api/v1";

/// Shortest password the server accepts, in characters.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest password the server accepts, in characters (long passphrases are welcome).
pub const PASSWORD_MAX_CHARS: usize = 256;
/// Longest display name, in characters.
pub const DISPLAY_NAME_MAX_CHARS: usize = 64;
/// Largest JSON request body the server reads, in bytes.
pub const MAX_JSON_BODY_BYTES: usize = 1024 * 1024;

pub mod chat;
pub use chat::{
    ChatError, ChatErrorCode, ChatLimits, ChatMessage, ClientFrame, RoomCursor, RoomMember, RoomSummary, ServerFrame,
};
pub use ids::{MessageId, RoomId};
