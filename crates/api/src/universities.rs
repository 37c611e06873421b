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
}
