//! The interactive loop: raw mode, the alternate screen and bracketed paste; draw, read
//! an event, repeat.
//!
//! The terminal is restored when the loop ends (normally or with an error, through a
//! drop guard), on panic (through a panic hook, chained before the previous one) and on
//! SIGTERM, SIGHUP or SIGQUIT (which end the loop within a second).
//! Bracketed paste makes the terminal send pasted text as one [`Event::Paste`], which the
//! screen ignores, instead of keys that would accept or skip a comment per space.

use super::Session;
use super::ui::{Action, handle_event, render};
use crate::error::{Error, Result};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::{DefaultTerminal, Terminal};
use std::io::{Write, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How often the screen refreshes without input (for the rate per minute).
const TICK: Duration = Duration::from_secs(1);

/// Whether the terminal is (perhaps partly) in the labeling screen's modes.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal when dropped.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore();
    }
}

/// A terminal error.
fn term_error(err: std::io::Error) -> Error {
    Error::io("<terminal>", err)
}

/// Writes the sequences entering the screen's modes: the alternate screen and bracketed
/// paste.
fn enter_modes(out: &mut impl Write) -> std::io::Result<()> {
    execute!(out, EnterAlternateScreen, EnableBracketedPaste)
}

/// Writes the sequences leaving the modes of [`enter_modes`].
fn leave_modes(out: &mut impl Write) -> std::io::Result<()> {
    execute!(out, DisableBracketedPaste, LeaveAlternateScreen)
}

/// Leaves raw mode and the screen's modes, once, if [`enter`] set them. A failure is
/// printed (nothing better can be done while restoring).
fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    // Raw mode first: it has more effects than the modes.
    let raw = disable_raw_mode();
    let modes = leave_modes(&mut stdout());
    if let Err(err) = raw.and(modes) {
        eprintln!("threadguard: could not restore the terminal: {err}");
    }
}

/// Chains a panic hook that restores the terminal before the previous hook prints the
/// panic (once per process).
fn hook_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Raw mode, the alternate screen and bracketed paste, and a terminal drawing to standard
/// output; on failure, whatever was set is restored.
fn enter() -> std::io::Result<DefaultTerminal> {
    hook_panics();
    ACTIVE.store(true, Ordering::SeqCst);
    enable_raw_mode()
        .and_then(|()| enter_modes(&mut stdout()))
        .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())))
        .inspect_err(|_| restore())
}

/// The signals that end a session the way `q` does, terminal restored: SIGTERM (`kill`,
/// `timeout`), SIGHUP and SIGQUIT. Their default action would leave the terminal in raw
/// mode, the alternate screen and bracketed paste.
#[cfg(unix)]
const ENDING_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGQUIT,
];

/// A flag set when one of [`ENDING_SIGNALS`] arrives (never set elsewhere).
fn watch_ending_signals() -> std::io::Result<std::sync::Arc<AtomicBool>> {
    let ended = std::sync::Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    for signal in ENDING_SIGNALS {
        signal_hook::flag::register(signal, std::sync::Arc::clone(&ended))?;
    }
    Ok(ended)
}

/// Runs `session` on the terminal until the annotator quits (or a signal of
/// [`ENDING_SIGNALS`] ends it, within a second, as an error). Every accepted decision is
/// written as it happens, so returning early loses nothing accepted.
pub fn run(session: &mut Session) -> Result<()> {
    let ended = watch_ending_signals().map_err(term_error)?;
    let mut terminal = enter().map_err(term_error)?;
    let _restore = Restore;
    loop {
        if ended.load(Ordering::SeqCst) {
            return Err(Error::Usage(
                "the labeling session was ended by a signal; every accepted decision is saved"
                    .to_string(),
            ));
        }
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
        match handle_event(session, &event, size)? {
            Action::Quit => return Ok(()),
            Action::Redraw => terminal.clear().map_err(term_error)?,
            Action::Continue => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn an_ending_signal_sets_the_flag_instead_of_killing_the_process() {
        let ended = watch_ending_signals().unwrap();
        assert!(!ended.load(Ordering::SeqCst));
        // SIGHUP rather than SIGTERM: a test runner's own SIGTERM means stop.
        signal_hook::low_level::raise(signal_hook::consts::SIGHUP).unwrap();
        assert!(ended.load(Ordering::SeqCst), "still running, flag set");
    }

    #[test]
    fn the_screen_turns_bracketed_paste_on_with_the_alternate_screen_and_off_again() {
        let mut out = Vec::new();
        enter_modes(&mut out).unwrap();
        assert_eq!(out, b"\x1b[?1049h\x1b[?2004h");
        out.clear();
        leave_modes(&mut out).unwrap();
        assert_eq!(out, b"\x1b[?2004l\x1b[?1049l");
    }
}
