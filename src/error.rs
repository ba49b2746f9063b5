//! The application's top-level error: each layer's error, mapped to one exit status.

use crate::clerk::ClientError;
use crate::config::ConfigError;
use crate::exit::ExitStatus;

/// Any error that ends a command.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Clerk(#[from] ClientError),
    #[error("failed to start the sandbox on {addr}")]
    SandboxBind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`migrate {0}` is not implemented yet")]
    NotImplemented(&'static str),
    #[error("failed to start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl AppError {
    /// The exit status for this error; exhaustive so a new variant must pick one.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Self::Config(ConfigError::Cancelled) => ExitStatus::Success,
            Self::Config(e) if e.is_usage() => ExitStatus::Usage,
            Self::Config(_) => ExitStatus::Fatal,
            Self::Clerk(_) => ExitStatus::Fatal,
            Self::SandboxBind { .. } => ExitStatus::Fatal,
            Self::NotImplemented(_) => ExitStatus::Fatal,
            Self::Runtime(_) => ExitStatus::Fatal,
        }
    }

    /// A next step, printed on its own line under the error.
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::Config(e) => e.hint().map(str::to_owned),
            Self::Clerk(ClientError::Api(e)) if e.is_auth() => Some(
                "the secret key was refused: check that it is the current Secret key of the intended instance"
                    .to_owned(),
            ),
            Self::SandboxBind { .. } => Some("pick another port with --port, or 0 for any free port".to_owned()),
            _ => None,
        }
    }
}
