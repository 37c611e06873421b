//! Pretzel's cross-component tests: the real backend on a loopback port, on SQLite and on
//! PostgreSQL, driven over HTTP by a plain client and by Pretzel's own client core; catalog storage
//! on both engines; and the real desktop app driven through WebDriver.

// Test code: unwrap/expect on fixtures is how a test says "this must hold".
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

mod accounts;
mod bad_input;
mod calendar;
mod catalog;
mod chat;
mod chat_cluster;
mod chat_faults;
mod client;
mod client_chat;
mod client_timetable;
mod e2e;
mod refresh;
mod search;
mod timetable;
mod ws_support;
