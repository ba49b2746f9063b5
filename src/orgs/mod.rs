//! Organizations, their memberships and roles (issue 21), the engine's room. What is here
//! so far is the offline half: the tool's organization file (`file`), slugs as Clerk
//! accepts them (`slug`), source roles mapped to the instance's (`roles`) and the checks
//! a dry run makes before anything is sent (`check`). Sending comes next.

pub mod check;
pub mod file;
pub mod roles;
pub mod slug;
