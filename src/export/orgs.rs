//! What an organization export found, whichever platform it read.

use std::collections::BTreeMap;

/// What the export found besides the organizations.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct OrgsExport {
    pub organizations: u64,
    pub members: u64,
    /// Invitations by status (`pending`, `accepted`, `canceled`, `rejected`).
    pub invitations: BTreeMap<String, u64>,
    pub teams: u64,
    /// Memberships of a team, kept on the member.
    pub team_memberships: u64,
    /// Members with more than one role (Better Auth's `admin,member`): the strongest is
    /// kept, as Clerk gives a member one role.
    pub several_roles: u64,
    /// Organizations with a logo URL, kept as `public_metadata.logo` (Clerk's own logo
    /// needs an upload).
    pub logos: u64,
    /// Rows that referred to an organization or a user that is not there.
    pub orphans: u64,
}
