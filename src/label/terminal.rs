//! The interactive loop: raw mode and the alternate screen, draw, read a key, repeat.
//!
//! The terminal is restored when the loop ends (normally or with an error, through a
//! drop guard) and on panic (ratatui's init installs a panic hook that restores it).

use super::Session;
use super::ui::{Action, handle_event, render};
use crate::error::{Error, Result};
use ratatui::crossterm::event::{self, Event};
use std::time::Duration;

/// How often the screen refreshes without input (for the rate per minute).
const TICK: Duration = Duration::from_secs(1);

/// Leaves raw mode and the alternate screen when dropped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// A terminal error.
fn term_error(err: std::io::Error) -> Error {
    Error::io("<terminal>", err)
}

/// Runs `session` on the terminal until the annotator quits. Every accepted decision is
/// written as it happens, so returning early (an error) loses nothing accepted.
pub fn run(session: &mut Session) -> Result<()> {
    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(err) => {
            ratatui::restore();
            return Err(term_error(err));
        }
    };
    let _restore = Restore;
    loop {
        terminal
            .draw(|frame| render(frame, session))
            .map_err(term_error)?;
        if !event::poll(TICK).map_err(term_error)? {
            continue;
        }
        let event = event::read().map_err(term_error)?;
        if let Event::Resize(..) = event {
            terminal.autoresize().map_err(term_error)?;
        }
        let size = terminal.size().map_err(term_error)?;
        if handle_event(session, &event, size)? == Action::Quit {
            return Ok(());
        }
    }
}
