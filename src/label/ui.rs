//! The labeling screen: renders a [`Session`] into a ratatui [`Frame`] and maps keys to
//! session calls. No terminal I/O here (see [`super::terminal`]), so both can be tested
//! with ratatui's `TestBackend`.
//!
//! ```text
//! Thread title — thread id (source)                                        annotator
//! ┌ replying to author ────────────────────────────────────────────────────────────┐
//! │the parent comment, dimmed, at most three lines…                                │
//! └────────────────────────────────────────────────────────────────────────────────┘
//! ┌ author · id ───────────────────────────────────────────────────────────────────┐
//! │the comment, wrapped and scrollable                                             │
//! └────────────────────────────────────────────── lines 1-8 of 20 ↑↓ PgUp/PgDn ────┘
//! ┌ labels (Enter saves the marked ones) ──────────────────────────────────────────┐
//! │[x] a abusive        p 0.62  threshold 0.50  over                               │
//! │    attacks people rather than ideas: ...                                       │
//! └────────────────────────────────────────────────────────────────────────────────┘
//! done 3 · remaining 97 · labeled in file 345 · 4.5/min · saved
//! a:abusive c:conspiratorial | Enter/Space:accept s:skip u:undo ?:help q:quit
//! ```
//!
//! Every text drawn is cleaned first (control and format characters dropped, see
//! [`wrap_text`]) and measured per grapheme cluster as ratatui measures it (see
//! [`text_width`]), so no line is wider than ratatui draws it. Rows are laid out by hand
//! (see [`fits`]): the toggle lines, the header and the key line never lose theirs.

use super::{Item, LabelSpec, Progress, Session};
use crate::error::Result;
use ratatui::Frame;
use ratatui::buffer::CellWidth;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Rect, Size};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// Most lines of the parent comment shown.
const PARENT_LINES: usize = 3;

/// Lines one PgUp/PgDn scrolls.
const PAGE: u16 = 8;

/// Narrowest terminal the screen is drawn in.
const MIN_WIDTH: u16 = 30;

/// Fewest rows of the comment's box: its borders and one line.
const MIN_COMMENT: u16 = 3;

/// Rows of the comment's box before the definitions and the parent get room.
const ROOMY_COMMENT: u16 = 5;

/// Width of the start of a label's line: "[x] a ".
const TOGGLE_PREFIX: usize = 6;

/// What the event loop does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Keep going (redraw).
    Continue,
    /// Leave the session (everything accepted is already saved).
    Quit,
    /// Clear the terminal and draw the whole screen again (Ctrl-L): for when something
    /// else wrote on it, or it kept glyphs a terminal drew wider than ratatui measured.
    Redraw,
}

/// Applies one terminal event to the session, for a terminal of `size`. Errors only when
/// writing a row fails.
///
/// Keys go to [`handle_key`] when the screen fits in `size`; below that (the screen only
/// asks to enlarge the terminal, see [`fits`]) every key but the quit keys and Ctrl-L
/// (redraw) is ignored, so nothing is decided about a comment not shown. Pasted text is
/// ignored: with bracketed paste on (see [`super::terminal`]) it arrives as one event,
/// never as keys that would accept or skip comments. Other events (resizes, focus,
/// mouse) change nothing here.
pub fn handle_event(session: &mut Session, event: &Event, size: Size) -> Result<Action> {
    match event {
        Event::Key(key) if fits(size, session.specs()) => handle_key(session, *key),
        Event::Key(key) if is_quit(key) => Ok(Action::Quit),
        Event::Key(key) if is_redraw(key) => Ok(Action::Redraw),
        _ => Ok(Action::Continue),
    }
}

/// Whether `key` is one of the quit keys: `q`, Esc, Ctrl-C or Ctrl-D (releases aside).
fn is_quit(key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    key.kind != KeyEventKind::Release
        && match key.code {
            KeyCode::Char('c' | 'C' | 'd' | 'D') => ctrl,
            // Held with a modifier they are chords, which do nothing.
            KeyCode::Char('q') | KeyCode::Esc => !is_chord(key),
            _ => false,
        }
}

/// Whether `key` is held with Ctrl, Alt or Super: Ctrl-S or Alt-A is not `s` or `a`.
fn is_chord(key: &KeyEvent) -> bool {
    key.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
}

/// Whether `key` is Ctrl-L, the redraw key (releases aside).
fn is_redraw(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
        && key.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(key.code, KeyCode::Char('l' | 'L'))
}

/// Whether the labeling screen fits in a terminal of `size` for a session with `specs`:
/// every label's toggle line, the header, the progress line, the whole key line and one
/// line of the comment. Below it, [`render`] only asks to enlarge the terminal and
/// [`handle_event`] ignores every key but the quit keys and Ctrl-L.
pub fn fits(size: Size, specs: &[LabelSpec]) -> bool {
    size.width >= MIN_WIDTH && usize::from(size.height) >= min_height(size.width, specs)
}

/// The fewest rows the screen needs at `width` (see [`fits`]): the header, the comment's
/// box with one line, the labels' box with their toggle lines, the progress line and the
/// key line as wrapped at `width`.
pub fn min_height(width: u16, specs: &[LabelSpec]) -> usize {
    1 + usize::from(MIN_COMMENT) + (specs.len() + 2) + 1 + key_lines(specs, width).len()
}

/// Applies one key to the session, whatever the terminal's size (see [`handle_event`]).
/// Errors only when writing a row fails.
///
/// Keys: a label's key (or its number `1`-`9`) toggles it; Enter or Space accepts; `s`
/// skips; `u` undoes; `?` opens help (any key closes it); `q`, Esc or Ctrl-C quits;
/// Ctrl-L redraws; arrows, `j`/`k`, PgUp/PgDn, Home scroll the comment. Key releases
/// and other keys held with Ctrl, Alt or Super are ignored.
pub fn handle_key(session: &mut Session, key: KeyEvent) -> Result<Action> {
    if key.kind == KeyEventKind::Release {
        return Ok(Action::Continue);
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'C' | 'd' | 'D')) {
        return Ok(Action::Quit);
    }
    if is_redraw(&key) {
        return Ok(Action::Redraw);
    }
    // A chord never decides anything.
    if is_chord(&key) {
        return Ok(Action::Continue);
    }
    if session.view.help {
        session.view.help = false;
        return Ok(Action::Continue);
    }
    session.view.message = None;
    match key.code {
        KeyCode::Char('q') | KeyCode::Esc => return Ok(Action::Quit),
        KeyCode::Char('?') | KeyCode::F(1) => session.view.help = true,
        KeyCode::Enter | KeyCode::Char(' ') => {
            let message = match session.accept()? {
                true => "saved",
                false => "nothing left to accept",
            };
            session.view.message = Some(message.to_string());
        }
        KeyCode::Char('s') => {
            let message = match session.skip()? {
                true => "skipped (saved as a skip)",
                false => "nothing left to skip",
            };
            session.view.message = Some(message.to_string());
        }
        KeyCode::Char('u') => undo(session)?,
        KeyCode::Up | KeyCode::Char('k') => scroll_by(session, -1),
        KeyCode::Down | KeyCode::Char('j') => scroll_by(session, 1),
        KeyCode::PageUp => scroll_by(session, -i32::from(PAGE)),
        KeyCode::PageDown => scroll_by(session, i32::from(PAGE)),
        KeyCode::Home => session.view.scroll = 0,
        KeyCode::Char(c) => toggle_key(session, c),
        _ => {}
    }
    Ok(Action::Continue)
}

/// Undoes the last decision, with a message saying which.
fn undo(session: &mut Session) -> Result<()> {
    let message = match session.undo()? {
        true => match session.current() {
            Some(item) => format!("undid the decision on {}", clean_field(&item.id)),
            None => "undone".to_string(),
        },
        false => "nothing to undo in this session".to_string(),
    };
    session.view.message = Some(message);
    Ok(())
}

/// Toggles the label whose key (or 1-based number) is `c`.
fn toggle_key(session: &mut Session, c: char) {
    let c = c.to_ascii_lowercase();
    let by_key = session.specs().iter().position(|s| s.key == c);
    let by_number = c
        .to_digit(10)
        .and_then(|d| usize::try_from(d).ok()?.checked_sub(1))
        .filter(|&i| i < session.specs().len());
    if let Some(index) = by_key.or(by_number) {
        session.toggle(index);
    }
}

/// Moves the comment's scroll by `delta` lines, within what the last frame allowed. The
/// move starts from the line shown: a resize may have lowered the largest scroll below
/// the one stored.
fn scroll_by(session: &mut Session, delta: i32) {
    let max = i32::from(session.view.max_scroll.get());
    let shown = i32::from(session.view.scroll).min(max);
    let next = (shown + delta).clamp(0, max.max(0));
    session.view.scroll = u16::try_from(next).unwrap_or(0);
}

/// What a tab becomes in drawn text.
const TAB: &str = "    ";

/// Columns `text` takes on screen, measured as ratatui draws it: per grapheme cluster with
/// ratatui's own [`CellWidth`] (so "❤️" and "🇺🇸" take two columns, not the one or the
/// two-and-a-half a sum over chars gives), grapheme clusters with a control character
/// skipped as ratatui skips them.
pub fn text_width(text: &str) -> usize {
    text.graphemes(true).map(grapheme_width).sum()
}

/// Columns one grapheme cluster takes, as ratatui draws it.
fn grapheme_width(grapheme: &str) -> usize {
    match grapheme.contains(char::is_control) {
        true => 0,
        false => usize::from(grapheme.cell_width()),
    }
}

/// Whether `c` is left out of drawn text: control characters, and format characters
/// (Unicode Cf: zero-width space and joiners, BOM, bidi controls, soft hyphen...), whose
/// width terminals do not agree on; they shifted what followed them and left stray glyphs.
fn is_hidden(c: char) -> bool {
    c.is_control() || c.general_category() == GeneralCategory::Format
}

/// Text as drawn: each line break (CR LF, CR, NEL, U+2028, U+2029) one `\n`, tabs four
/// spaces, vertical tab and form feed a space, and other [hidden](is_hidden) characters
/// dropped.
fn clean_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\t' => out.push_str(TAB),
            '\u{b}' | '\u{c}' => out.push(' '),
            c if is_hidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// A one-line field as drawn (author, thread title, ids, file names, label names): as
/// [`clean_text`], with each run of spaces, tabs and line breaks one space and none at
/// either end, so no field can break a line or shift a box's border.
fn clean_field(text: &str) -> String {
    clean_text(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field that may be missing, as drawn: [`clean_field`] of it, else `missing`.
fn field_or(text: Option<&str>, missing: &str) -> String {
    let text = text.map(clean_field).unwrap_or_default();
    if text.is_empty() {
        missing.to_string()
    } else {
        text
    }
}

/// Whether `c` is half of a flag (a regional indicator).
fn is_regional_indicator(c: char) -> bool {
    ('\u{1F1E6}'..='\u{1F1FF}').contains(&c)
}

/// `text` as spans in `style`, each regional indicator in a span of its own. ratatui keeps
/// a flag ("🇺🇸") in one cell and leaves the next one blank; terminals that draw the two
/// halves apart (tmux) put the second half in that next cell, and nothing cleared it when
/// the screen changed. A cell per half takes the same two columns in both kinds of
/// terminal, and terminals that draw flags still get the two halves in a row.
fn spans(text: String, style: Style) -> Vec<Span<'static>> {
    if !text.contains(is_regional_indicator) {
        return vec![Span::styled(text, style)];
    }
    let mut spans = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_regional_indicator(c) {
            if !run.is_empty() {
                spans.push(Span::styled(std::mem::take(&mut run), style));
            }
            spans.push(Span::styled(c.to_string(), style));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, style));
    }
    spans
}

/// `text` as one line of [`spans`] in `style`.
fn line(text: String, style: Style) -> Line<'static> {
    Line::from(spans(text, style))
}

/// `text` cut to at most `width` columns, ending with "…" when cut.
fn fit(text: &str, width: usize) -> String {
    if text_width(text) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let w = grapheme_width(grapheme);
        if used + w + 1 > width {
            break;
        }
        out.push_str(grapheme);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Wraps `text` to `width` columns, as measured by [`text_width`]: words greedily, words
/// longer than a line broken between grapheme clusters, paragraphs kept, tabs expanded to
/// four spaces, and the indentation and runs of spaces inside a line kept (the spaces
/// where a line breaks are dropped); other control characters and format characters
/// (Unicode Cf: zero-width spaces and joiners, BOM, bidi controls) are dropped.
pub fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    for paragraph in clean_text(text).split('\n') {
        wrap_paragraph(paragraph, width, &mut lines);
    }
    lines
}

/// Whether `c` separates words (spaces that do not forbid a break there).
fn is_gap(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{2007}' | '\u{202f}')
}

/// The words of `text`, each with the spaces before it; spaces at the end are dropped.
fn words(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let word_start = rest.find(|c: char| !is_gap(c))?;
        let (gap, tail) = rest.split_at(word_start);
        let word_end = tail.find(is_gap).unwrap_or(tail.len());
        let (word, after) = tail.split_at(word_end);
        rest = after;
        Some((gap, word))
    })
}

/// A line being filled by [`wrap_paragraph`].
#[derive(Default)]
struct Filling {
    text: String,
    used: usize,
}

impl Filling {
    /// Appends `piece`, `width` columns wide.
    fn push(&mut self, piece: &str, width: usize) {
        self.text.push_str(piece);
        self.used += width;
    }

    /// Moves the line into `out` and starts an empty one.
    fn finish(&mut self, out: &mut Vec<String>) {
        out.push(std::mem::take(&mut self.text));
        self.used = 0;
    }
}

/// Wraps one paragraph (no line breaks) into `out`; an empty paragraph is one empty line.
fn wrap_paragraph(text: &str, width: usize, out: &mut Vec<String>) {
    let mut line = Filling::default();
    for (index, (gap, word)) in words(text).enumerate() {
        let w = text_width(word);
        // Spaces count where a line goes on, and as indentation at the paragraph's start.
        let gap = if index > 0 && line.used == 0 { "" } else { gap };
        let gap_w = text_width(gap);
        if line.used + gap_w + w <= width {
            line.push(gap, gap_w);
            line.push(word, w);
            continue;
        }
        if line.used > 0 {
            line.finish(out);
        }
        for grapheme in word.graphemes(true) {
            let gw = grapheme_width(grapheme);
            if line.used + gw > width && line.used > 0 {
                line.finish(out);
            }
            line.push(grapheme, gw);
        }
    }
    out.push(line.text);
}

/// The key help line.
pub fn key_help(specs: &[LabelSpec]) -> String {
    let toggles: Vec<String> = specs
        .iter()
        .map(|s| format!("{}:{}", s.key, clean_field(&s.name)))
        .collect();
    format!(
        "{} | Enter/Space:accept s:skip u:undo ?:help q:quit",
        toggles.join(" ")
    )
}

/// The key help line wrapped to `width` columns.
fn key_lines(specs: &[LabelSpec], width: u16) -> Vec<String> {
    wrap_text(&key_help(specs), usize::from(width))
}

/// The progress line.
pub fn progress_line(progress: &Progress) -> String {
    format!(
        "done {} · remaining {} · labeled in file {} · {}",
        progress.done,
        progress.remaining,
        progress.labeled_in_file,
        rate(progress)
    )
}

/// The rate per minute, or "—/min" in the session's first seconds.
fn rate(progress: &Progress) -> String {
    match progress.rate_per_minute {
        Some(r) => format!("{r:.1}/min"),
        None => "—/min".to_string(),
    }
}

/// The progress line, then shorter forms of it for narrow terminals.
fn progress_forms(progress: &Progress) -> [String; 3] {
    let (done, left) = (progress.done, progress.remaining);
    [
        progress_line(progress),
        format!(
            "done {done} · left {left} · in file {} · {}",
            progress.labeled_in_file,
            rate(progress)
        ),
        format!("done {done} · left {left}"),
    ]
}

/// The status rows at `width`: the progress line (as long a form as fits) and the last
/// key's message, on one row when both fit there, else on two when `rows` allows it, else
/// the shortest progress with the message cut.
fn status_lines(session: &Session, width: usize, rows: u16) -> Vec<(String, Option<String>)> {
    let forms = progress_forms(&session.progress());
    let alone = |forms: &[String; 3]| -> String {
        let form = forms.iter().find(|f| text_width(f) <= width);
        fit(form.unwrap_or(&forms[2]), width)
    };
    let Some(message) = session.view.message.as_deref() else {
        return vec![(alone(&forms), None)];
    };
    let together = |form: &String| text_width(form) + 3 + text_width(message) <= width;
    if let Some(form) = forms.iter().find(|f| together(f)) {
        return vec![(form.clone(), Some(message.to_string()))];
    }
    if rows >= 2 {
        return vec![
            (alone(&forms), None),
            (String::new(), Some(fit(message, width))),
        ];
    }
    let progress = fit(&forms[2], width);
    let room = width.saturating_sub(text_width(&progress) + 3);
    vec![(progress, Some(fit(message, room)))]
}

/// Where each part of the screen goes (see [`plan`]).
struct Plan {
    header: Rect,
    parent: Rect,
    comment: Rect,
    labels: Rect,
    status: Rect,
    keys: Rect,
    /// Whether the labels' box has room for their definitions.
    definitions: bool,
}

/// Takes up to `want` rows from `spare`; returns how many it took.
fn grant(spare: &mut u16, want: u16) -> u16 {
    let granted = want.min(*spare);
    *spare -= granted;
    granted
}

/// Cuts the first `rows` rows off `area`.
fn take_rows(area: &mut Rect, rows: u16) -> Rect {
    let rows = rows.min(area.height);
    let top = Rect {
        height: rows,
        ..*area
    };
    area.y += rows;
    area.height -= rows;
    top
}

/// Lays the screen out in `area`, or `None` when it does not [fit](fits). The header, the
/// toggle lines, the progress line, the key line and one line of the comment always get
/// their rows; the rows left go to a second status row when the message needs one, the
/// comment up to three lines, the definitions, the parent, then the comment again.
fn plan(area: Rect, session: &Session) -> Option<Plan> {
    let specs = session.specs();
    if !fits(area.as_size(), specs) {
        return None;
    }
    let labels = u16::try_from(specs.len()).ok()?;
    let keys = u16::try_from(key_lines(specs, area.width).len()).ok()?;
    let needed = u16::try_from(min_height(area.width, specs)).ok()?;
    let mut spare = area.height - needed;
    let width = usize::from(area.width);
    let status_wanted = u16::try_from(status_lines(session, width, 2).len()).ok()?;
    let status = 1 + grant(&mut spare, status_wanted.saturating_sub(1));
    let comment = MIN_COMMENT + grant(&mut spare, ROOMY_COMMENT - MIN_COMMENT);
    let definitions = spare >= labels;
    if definitions {
        spare -= labels;
    }
    let parent = parent_rows(session, area.width, &mut spare);
    let mut rest = area;
    Some(Plan {
        header: take_rows(&mut rest, 1),
        parent: take_rows(&mut rest, parent),
        comment: take_rows(&mut rest, comment + spare),
        labels: take_rows(&mut rest, labels * (1 + u16::from(definitions)) + 2),
        status: take_rows(&mut rest, status),
        keys: take_rows(&mut rest, keys),
        definitions,
    })
}

/// Rows of the parent's box: its wrapped lines (at most [`PARENT_LINES`]) and borders when
/// `spare` has them, else as many as it has (at least one line), else none; taken from
/// `spare`.
fn parent_rows(session: &Session, width: u16, spare: &mut u16) -> u16 {
    let Some(parent) = session.current().and_then(|i| i.parent.as_ref()) else {
        return 0;
    };
    let lines = parent.text.as_deref().map_or(1, |t| {
        wrap_text(t, usize::from(width.saturating_sub(2)))
            .len()
            .clamp(1, PARENT_LINES)
    });
    let wanted = u16::try_from(lines).unwrap_or(1) + 2;
    match *spare {
        s if s >= wanted => grant(spare, wanted),
        s if s >= 3 => grant(spare, s),
        _ => 0,
    }
}

/// Draws the whole screen for `session`.
pub fn render(frame: &mut Frame, session: &Session) {
    let area = frame.area();
    let Some(plan) = plan(area, session) else {
        render_too_small(frame, area, session.specs());
        return;
    };
    match session.current() {
        Some(item) => {
            render_header(frame, plan.header, item, session.annotator());
            render_parent(frame, plan.parent, item);
            render_comment(frame, plan.comment, item, session);
        }
        None => render_finished(frame, plan.header.union(plan.comment), session),
    }
    render_labels(frame, plan.labels, session, plan.definitions);
    render_status(frame, plan.status, session);
    render_keys(frame, plan.keys, session.specs());
    if session.view.help {
        render_help(frame, area, session.specs());
    }
}

/// The screen when the terminal is too small: what size is needed, and how to quit.
fn render_too_small(frame: &mut Frame, area: Rect, specs: &[LabelSpec]) {
    let width = area.width.max(MIN_WIDTH);
    let text = format!(
        "threadguard label: enlarge the terminal to {width}x{} or more (q quits)",
        min_height(width, specs)
    );
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// The key line, reversed, wrapped to the area's width.
fn render_keys(frame: &mut Frame, area: Rect, specs: &[LabelSpec]) {
    let lines: Vec<Line> = key_lines(specs, area.width)
        .into_iter()
        .map(|l| line(l, Style::new()))
        .collect();
    let style = Style::new().add_modifier(Modifier::REVERSED);
    frame.render_widget(Paragraph::new(lines).style(style), area);
}

/// The header: thread title, id and source; the annotator on the right.
fn render_header(frame: &mut Frame, area: Rect, item: &Item, annotator: &str) {
    let title = field_or(item.thread_title.as_deref(), "(untitled thread)");
    let (thread, source) = (clean_field(&item.thread_id), clean_field(&item.source));
    let right = format!(" {}", clean_field(annotator));
    let room = usize::from(area.width).saturating_sub(text_width(&right));
    let left = fit(&format!("{title} — {thread} ({source})"), room);
    let pad = room.saturating_sub(text_width(&left));
    let mut parts = spans(left, Style::new().add_modifier(Modifier::BOLD));
    parts.push(Span::raw(" ".repeat(pad)));
    parts.extend(spans(right, Style::new().fg(Color::Cyan)));
    frame.render_widget(Paragraph::new(Line::from(parts)), area);
}

/// The parent comment, dimmed, cut to a few lines.
fn render_parent(frame: &mut Frame, area: Rect, item: &Item) {
    let Some(parent) = &item.parent else { return };
    if area.height == 0 {
        return;
    }
    let dim = Style::new().add_modifier(Modifier::DIM);
    let who = field_or(parent.author.as_deref(), "unknown author");
    let block = Block::bordered()
        .title(line(format!(" replying to {who} "), Style::new()))
        .border_style(dim)
        .title_style(dim);
    let width = usize::from(area.width.saturating_sub(2));
    let room = usize::from(area.height.saturating_sub(2)).max(1);
    let mut lines = match parent.text.as_deref() {
        Some(text) => wrap_text(text, width),
        None => vec!["(the parent comment is not in the input)".to_string()],
    };
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), width);
        }
    }
    let text: Vec<Line> = lines.into_iter().map(|l| line(l, Style::new())).collect();
    frame.render_widget(Paragraph::new(text).style(dim).block(block), area);
}

/// The comment, wrapped and scrolled; records the largest useful scroll in the view.
fn render_comment(frame: &mut Frame, area: Rect, item: &Item, session: &Session) {
    let width = usize::from(area.width.saturating_sub(2));
    let height = usize::from(area.height.saturating_sub(2));
    let lines = wrap_text(&item.text, width);
    let max_scroll = lines.len().saturating_sub(height);
    session
        .view
        .max_scroll
        .set(u16::try_from(max_scroll).unwrap_or(u16::MAX));
    let scroll = usize::from(session.view.scroll).min(max_scroll);
    let author = field_or(item.author.as_deref(), "unknown author");
    let mut title = spans(
        format!(" {author} "),
        Style::new().add_modifier(Modifier::BOLD),
    );
    title.extend(spans(format!("· {} ", clean_field(&item.id)), Style::new()));
    let mut block = Block::bordered().title(Line::from(title));
    if max_scroll > 0 {
        let last = (scroll + height).min(lines.len());
        let (first, total) = (scroll + 1, lines.len());
        let forms = [
            format!(" lines {first}-{last} of {total} ↑↓ PgUp/PgDn "),
            format!(" lines {first}-{last} of {total} ↑↓ "),
            format!(" {first}-{last}/{total} "),
        ];
        let room = usize::from(area.width.saturating_sub(4));
        let form = forms.iter().find(|f| text_width(f) <= room);
        let form = form.unwrap_or(&forms[2]).clone();
        block = block.title_bottom(Line::from(form).right_aligned());
    }
    let text: Vec<Line> = lines
        .into_iter()
        .skip(scroll)
        .take(height)
        .map(|l| line(l, Style::new()))
        .collect();
    frame.render_widget(Paragraph::new(text).block(block), area);
}

/// The screen when the queue is done.
fn render_finished(frame: &mut Frame, area: Rect, session: &Session) {
    let counts = session.counts();
    let lines = vec![
        Line::styled(
            "Nothing left to label in this session.",
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Line::raw(""),
        Line::raw(format!(
            "{} accepted, {} skipped, {} undone; saved in {}.",
            counts.accepted,
            counts.skipped,
            counts.undone,
            clean_field(&session.path().display().to_string())
        )),
        Line::raw("Press q to quit, or u to undo the last decision."),
    ];
    let block = Block::bordered().title(" done ");
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

/// A label's score, then shorter forms of it for narrow terminals: the probability, the
/// threshold and which side of it the probability is on (in every form). Without a
/// probability (no comment left, on the finished screen) the threshold still shows: only
/// a label without a threshold is not in the model.
fn score_forms(prob: Option<f32>, threshold: Option<f32>) -> [String; 3] {
    match (prob, threshold) {
        (Some(p), Some(t)) => {
            let side = if p >= t { "over" } else { "under" };
            [
                format!("p {p:.2}  threshold {t:.2}  {side}"),
                format!("p {p:.2} / {t:.2} {side}"),
                format!("{p:.2} {side}"),
            ]
        }
        (None, Some(t)) => [
            format!("p —  threshold {t:.2}"),
            format!("p — / {t:.2}"),
            format!("— / {t:.2}"),
        ],
        (Some(p), None) => [
            format!("p {p:.2}  threshold —"),
            format!("p {p:.2}"),
            format!("{p:.2}"),
        ],
        (None, None) => [
            "p —  (not in the model)".to_string(),
            "p — (no model)".to_string(),
            "—".to_string(),
        ],
    }
}

/// `text` followed by spaces up to `width` columns.
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text_width(text));
    format!("{text}{}", " ".repeat(fill))
}

/// One label's toggle line, before it is laid out at a width.
struct Toggle {
    key: char,
    on: bool,
    over: bool,
    name: String,
    scores: [String; 3],
}

impl Toggle {
    /// The toggle line of `spec`, marked when `on`, with the probability `prob`.
    fn new(spec: &LabelSpec, on: bool, prob: Option<f32>) -> Self {
        Toggle {
            key: spec.key,
            on,
            over: matches!((prob, spec.threshold), (Some(p), Some(t)) if p >= t),
            name: clean_field(&spec.name),
            scores: score_forms(prob, spec.threshold),
        }
    }

    /// Columns left for the name with score form `form` at `width`.
    fn name_room(&self, form: usize, width: usize) -> usize {
        width.saturating_sub(TOGGLE_PREFIX + 1 + text_width(&self.scores[form]))
    }

    /// The line with score form `form`, the name padded to `column` (or cut to what
    /// `width` leaves).
    fn line(&self, form: usize, width: usize, column: usize) -> Line<'static> {
        let mark = if self.on { "[x]" } else { "[ ]" };
        let name_style = if self.on {
            Style::new()
                .add_modifier(Modifier::BOLD | Modifier::REVERSED)
                .fg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        };
        let score_style = if self.over {
            Style::new().fg(Color::Red)
        } else {
            Style::new()
        };
        let room = self.name_room(form, width);
        let mut parts = vec![
            Span::styled(format!("{mark} "), name_style),
            Span::styled(format!("{} ", self.key), Style::new().fg(Color::Cyan)),
        ];
        parts.extend(spans(
            pad(&fit(&self.name, room), column.min(room)),
            name_style,
        ));
        parts.push(Span::raw(" "));
        parts.push(Span::styled(self.scores[form].clone(), score_style));
        Line::from(parts)
    }
}

/// The score form (see [`score_forms`]) all toggle lines use at `width`: the longest that
/// leaves room for every whole name, else the shortest.
fn score_form(toggles: &[Toggle], width: usize) -> usize {
    (0..2)
        .find(|&form| {
            toggles
                .iter()
                .all(|t| t.name_room(form, width) >= text_width(&t.name))
        })
        .unwrap_or(2)
}

/// The labels panel: toggles, probabilities, thresholds and, when `definitions`,
/// definitions.
fn render_labels(frame: &mut Frame, area: Rect, session: &Session, definitions: bool) {
    let width = usize::from(area.width.saturating_sub(2));
    let item = session.current();
    let specs = session.specs();
    let toggles: Vec<Toggle> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let on = session.toggles().get(i).copied().unwrap_or(false);
            let prob = item.and_then(|it| it.probs.get(i).copied().flatten());
            Toggle::new(spec, on, prob)
        })
        .collect();
    let form = score_form(&toggles, width);
    let column = toggles
        .iter()
        .map(|t| text_width(&t.name))
        .max()
        .unwrap_or(0);
    let dim = Style::new().add_modifier(Modifier::DIM);
    let mut lines = Vec::new();
    for (toggle, spec) in toggles.iter().zip(specs) {
        lines.push(toggle.line(form, width, column));
        if definitions {
            let definition = fit(&format!("    {}", spec.definition), width);
            lines.push(Line::styled(definition, dim));
        }
    }
    let title = match session.toggles().iter().any(|&t| t) {
        true => " labels (Enter saves the marked ones) ",
        false => " labels (Enter saves: clean) ",
    };
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(title)),
        area,
    );
}

/// The progress line and the last key's message, on the area's rows (see
/// [`status_lines`]).
fn render_status(frame: &mut Frame, area: Rect, session: &Session) {
    let green = Style::new().fg(Color::Green);
    let lines: Vec<Line> = status_lines(session, usize::from(area.width), area.height)
        .into_iter()
        .map(|(progress, message)| {
            let mut parts = vec![Span::raw(progress.clone())];
            if let Some(message) = message {
                if !progress.is_empty() {
                    parts.push(Span::raw(" · "));
                }
                parts.extend(spans(message, green));
            }
            Line::from(parts)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The help text: every key and each label's definition, with the headings' style.
fn help_lines(specs: &[LabelSpec]) -> Vec<(String, Style)> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let plain = Style::new();
    let mut lines = vec![("Keys".to_string(), bold)];
    for spec in specs {
        let name = clean_field(&spec.name);
        lines.push((format!("  {}          toggle {name}", spec.key), plain));
    }
    let fixed = [
        "  1-9        toggle the n-th label",
        "  Enter/Space accept (nothing marked = clean, all 0)",
        "  s          skip (saved; not offered again)",
        "  u          undo the last decision (repeatable)",
        "  ↑↓ j k     scroll the comment; PgUp/PgDn by page, Home to the top",
        "  Ctrl-L     clear and redraw the screen",
        "  q Esc      quit: every accepted decision is saved",
        "",
    ];
    lines.extend(fixed.iter().map(|s| (s.to_string(), plain)));
    lines.push(("Labels".to_string(), bold));
    for spec in specs {
        let name = clean_field(&spec.name);
        lines.push((format!("  {name}: {}", spec.definition), plain));
    }
    lines.push((String::new(), plain));
    let last = "Unsure after a second read? Skip. Any key closes this help.";
    lines.push((last.to_string(), plain));
    lines
}

/// The help overlay, as large as its text (wrapped to the terminal's width) up to the
/// whole terminal.
fn render_help(frame: &mut Frame, area: Rect, specs: &[LabelSpec]) {
    let help = help_lines(specs);
    let widest = help.iter().map(|(l, _)| text_width(l)).max().unwrap_or(0);
    let inner = widest.min(usize::from(area.width.saturating_sub(2)));
    let mut lines = Vec::new();
    for (text, style) in help {
        lines.extend(wrap_text(&text, inner).into_iter().map(|l| line(l, style)));
    }
    let width = u16::try_from(inner + 2).unwrap_or(u16::MAX);
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = centered(area, width, height);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" help ");
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// A rectangle of at most `width` x `height` centered in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
