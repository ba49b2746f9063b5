//! The terminal implementation of `Prompter`, with dialoguer's plain theme.

use dialoguer::theme::SimpleTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};

use crate::config::{PromptError, Prompter};

/// Asks on the terminal (stderr), without colours.
#[derive(Debug, Default)]
pub struct TerminalPrompter;

fn map(e: dialoguer::Error) -> PromptError {
    match e {
        dialoguer::Error::IO(io) if io.kind() == std::io::ErrorKind::Interrupted => {
            PromptError::Cancelled
        }
        dialoguer::Error::IO(io) => PromptError::Io(io),
    }
}

impl Prompter for TerminalPrompter {
    fn select(
        &mut self,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, PromptError> {
        Select::with_theme(&SimpleTheme)
            .with_prompt(prompt)
            .items(items)
            .default(default)
            .interact_opt()
            .map_err(map)?
            .ok_or(PromptError::Cancelled)
    }

    fn input(
        &mut self,
        prompt: &str,
        default: Option<&str>,
        allow_empty: bool,
    ) -> Result<String, PromptError> {
        let mut input = Input::<String>::with_theme(&SimpleTheme)
            .with_prompt(prompt)
            .allow_empty(allow_empty);
        if let Some(d) = default {
            input = input.with_initial_text(d);
        }
        input.interact_text().map_err(map)
    }

    fn secret(&mut self, prompt: &str) -> Result<String, PromptError> {
        Password::with_theme(&SimpleTheme)
            .with_prompt(prompt)
            .interact()
            .map_err(map)
    }

    fn multi_select(&mut self, prompt: &str, items: &[String]) -> Result<Vec<usize>, PromptError> {
        MultiSelect::with_theme(&SimpleTheme)
            .with_prompt(prompt)
            .items(items)
            .interact_opt()
            .map_err(map)?
            .ok_or(PromptError::Cancelled)
    }

    fn confirm(&mut self, prompt: &str, default: bool) -> Result<bool, PromptError> {
        Confirm::with_theme(&SimpleTheme)
            .with_prompt(prompt)
            .default(default)
            .interact_opt()
            .map_err(map)?
            .ok_or(PromptError::Cancelled)
    }

    fn note(&mut self, text: &str) {
        eprintln!("{}", super::safe::escape(text));
    }
}
