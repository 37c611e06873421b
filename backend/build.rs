//! Rebuilds the crate when a migration is added: `sqlx::migrate!` embeds the folders at compile time
//! and, on stable Rust, cannot tell cargo to watch them itself.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
