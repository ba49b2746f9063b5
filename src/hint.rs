//! Next steps that travel with errors. Each error type that knows what the person should
//! do next says so itself; `error::hint_for` asks the error and every cause under it, so
//! no central table has to know every layer's errors.

/// An error that knows the next step for the person who met it.
pub trait Hint {
    /// The next step, printed on its own line under the error.
    fn hint(&self) -> Option<String>;
}
