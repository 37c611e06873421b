//! The backend's integration tests: the course-catalog importers on the real sample catalogs in
//! `assets/catalogs/`, corrupt input, the `import` command's JSON contract, and URL fetching against a
//! loopback server.

mod banner;
mod cli;
mod common;
mod corrupt;
mod fetch;
mod loopback;
mod uiuc;
mod umd;
