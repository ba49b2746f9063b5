//! Organizations, their memberships and roles, the engine's room: the tool's organization
//! file (`file`), slugs as Clerk accepts them (`slug`), source roles mapped to the
//! instance's (`roles`), the checks made before anything is sent (`check` offline,
//! `ready` against the instance), members matched to Clerk users (`members`), and the
//! sending itself (`send`).

pub mod auth0;
pub mod check;
pub mod csv;
pub mod file;
pub mod invite;
pub mod live;
pub mod members;
pub mod ready;
pub mod roles;
pub mod send;
pub mod slug;

/// Why an orgs run stopped.
#[derive(Debug, thiserror::Error)]
pub enum OrgsError {
    #[error(transparent)]
    Ready(#[from] ready::ReadyError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Send(#[from] send::SendError),
    #[error(transparent)]
    Live(#[from] live::LiveError),
}

impl crate::hint::Hint for OrgsError {
    fn hint(&self) -> Option<String> {
        match self {
            Self::Ready(e) => e.hint(),
            Self::Members(members::MembersError::Lookup(e)) => e.hint(),
            Self::Live(live::LiveError::Ready(e)) => e.hint(),
            Self::Live(live::LiveError::Clerk(e))
            | Self::Live(live::LiveError::Members(members::MembersError::Lookup(e))) => e.hint(),
            Self::Members(members::MembersError::Logs(_))
            | Self::Live(live::LiveError::Members(members::MembersError::Logs(_)))
            | Self::Send(_) => None,
        }
    }
}
