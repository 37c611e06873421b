//! Universities a student can belong to.

use crate::ids::UniversityId;
use serde::{Deserialize, Serialize};

/// One university, as listed by `GET /api/v1/universities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct University {
    /// Stable id, used in sign-up.
    pub id: UniversityId,
    /// Full name, e.g. "University of Illinois Urbana-Champaign".
    pub name: String,
    /// Short name students use, e.g. "UIUC".
    pub short_name: String,
    /// The campus's IANA time zone, e.g. "America/Chicago"; class times are in this zone.
    pub time_zone: String,
    /// Email domains the university hands out to its students, e.g. ["illinois.edu"].
    pub email_domains: Vec<String>,
    /// Fewest credits per term that count as full-time (student visas require it), e.g. 12.
    #[serde(default = "default_full_time_credits")]
    pub full_time_credits: u32,
}

/// The usual undergraduate full-time minimum in the United States.
pub const DEFAULT_FULL_TIME_CREDITS: u32 = 12;

fn default_full_time_credits() -> u32 {
    DEFAULT_FULL_TIME_CREDITS
}
