//! The exit-code table: one place, one meaning per code.

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything done (for an import: every user is in Clerk).
    Success = 0,
    /// A fatal error: bad key, unreadable file, unreachable API.
    Fatal = 1,
    /// A usage error: bad flags or settings.
    Usage = 2,
    /// Finished, but some users failed or were invalid.
    Incomplete = 3,
    /// Stopped by Ctrl-C (SIGINT).
    Interrupted = 130,
    /// Stopped by SIGTERM.
    Terminated = 143,
}

impl ExitStatus {
    /// A run that finished: `Success` when it did everything, else `Incomplete`.
    pub fn finished(everything_done: bool) -> Self {
        if everything_done {
            Self::Success
        } else {
            Self::Incomplete
        }
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}
