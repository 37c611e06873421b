//! The course catalog: the terms imported for a university (search, courses and sections follow).

use crate::ids::{TermId, UniversityId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One imported term, as listed by `GET /api/v1/universities/{id}/terms`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Term {
    /// Stable id; later catalog and timetable requests name the term by it.
    pub id: TermId,
    /// The university the term belongs to.
    pub university_id: UniversityId,
    /// The term's code as the university's catalog writes it, e.g. "202130" or "2025-su".
    pub code: String,
    /// The name students use, e.g. "Summer 2021" or "Winter 2019–20".
    pub name: String,
    /// The first day any section meets, when the catalog gives meeting dates.
    pub start_date: Option<NaiveDate>,
    /// The last day any section meets, when the catalog gives meeting dates.
    pub end_date: Option<NaiveDate>,
    /// Sections currently offered (sections dropped by a later import are not counted).
    pub section_count: u32,
}
