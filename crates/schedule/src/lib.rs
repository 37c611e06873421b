//! Timetable arithmetic shared by the backend and the native client: which items of a plan overlap,
//! how many credits a plan holds, and how a plan of campus-local meetings lays out on a real week in
//! another time zone. Pure functions over `pretzel_api` types, no I/O, so the server (which refuses
//! unconfirmed conflicts) and the client (which shows a plan offline and applies queued changes to it)
//! compute the same answers.

pub mod clock;
pub mod conflicts;
pub mod credits;
pub mod week;
