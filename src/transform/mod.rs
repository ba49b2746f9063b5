//! Per-source transformers: map one source record to the normalised `User`.

/// The source systems `migrate` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransformerKind {
    Clerk,
    Auth0,
    Authjs,
    Betterauth,
    Firebase,
    Supabase,
}

impl TransformerKind {
    /// Every transformer, in the reference tool's order.
    pub const ALL: [TransformerKind; 6] = [
        Self::Clerk,
        Self::Auth0,
        Self::Authjs,
        Self::Betterauth,
        Self::Firebase,
        Self::Supabase,
    ];

    /// The name used on the command line and in logs.
    pub fn key(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Auth0 => "auth0",
            Self::Authjs => "authjs",
            Self::Betterauth => "betterauth",
            Self::Firebase => "firebase",
            Self::Supabase => "supabase",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Clerk => "Clerk",
            Self::Auth0 => "Auth0",
            Self::Authjs => "Auth.js (NextAuth)",
            Self::Betterauth => "Better Auth",
            Self::Firebase => "Firebase",
            Self::Supabase => "Supabase",
        }
    }
}

/// Firebase's project-wide scrypt parameters, joined into every user's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirebaseHashConfig {
    pub signer_key: String,
    pub salt_separator: String,
    pub rounds: u32,
    pub mem_cost: u32,
}
