//! Screens. A page composes components, owns the calls to the shell for its screen (through
//! `ipc`), and keeps its own form state; app-wide state lives in `session`.

pub mod chats;
pub mod feed;
pub mod login;
pub mod me;
pub mod notifications;
pub mod settings;
pub mod signup;
pub mod timetable;
