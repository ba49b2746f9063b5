//! `migrate sync` (issue 22), the engine's room. Built so far: the plan, offline against
//! the logs (`plan`): which users of a newer export are new, which changed since they
//! were last sent and in which field groups, which did not, and which are gone. Reading
//! Clerk's side (the three-way rule) and sending come next.

pub mod plan;
