//! The normalised user and its conversion into a Clerk `CreateUser` payload.

/// What to do with identifiers the source marks unverified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnverifiedMode {
    /// Send them in the create call as `reserved`.
    #[default]
    Reserve,
    /// Add them after the create call with `verified: false`.
    Attach,
    /// Leave them out.
    Drop,
}
