//! Newtype ids: each entity's id is its own type on the wire and in code.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A student account.
    UserId
);
id_type!(
    /// A university in the catalog.
    UniversityId
);
id_type!(
    /// A university's term (semester, quarter, session) in the course catalog.
    TermId
);
id_type!(
    /// A section (one registrable offering of a course) in a term's catalog.
    SectionId
);
id_type!(
    /// A student's named timetable (plan) for one term.
    TimetableId
);
id_type!(
    /// A student's own block (work shift, commute) in a timetable.
    CustomBlockId
);
id_type!(
    /// A course chat room: one per course offering per term.
    RoomId
);
id_type!(
    /// A stored chat message.
    MessageId
);
