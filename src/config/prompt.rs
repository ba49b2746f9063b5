//! What configuration may ask a person. The UI implements it with dialoguer; tests fake it.

/// A question could not be asked or answered.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// The person pressed Ctrl-C or Esc.
    #[error("cancelled")]
    Cancelled,
    /// The terminal failed.
    #[error("failed to read from the terminal")]
    Io(#[source] std::io::Error),
}

/// Questions asked at a terminal.
pub trait Prompter {
    /// Picks one of `items`; returns its index.
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, PromptError>;
    /// A line of text, pre-filled with `default`.
    fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        allow_empty: bool,
    ) -> Result<String, PromptError>;
    /// Hidden input, for the secret key.
    fn secret(&mut self, prompt: &str) -> Result<String, PromptError>;
    /// Any number of `items`; returns their indexes.
    fn multi_select(&mut self, prompt: &str, items: &[String]) -> Result<Vec<usize>, PromptError>;
    /// Yes or no.
    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, PromptError>;
    /// A line of information between questions.
    fn note(&mut self, text: &str);
}
