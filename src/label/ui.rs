//! The labeling screen: renders a [`Session`] into a ratatui [`Frame`] and maps keys to
//! session calls. No terminal I/O here (see [`super::terminal`]), so both can be tested
//! with ratatui's `TestBackend`.
//!
//! ```text
//! Thread title — thread id (source)                       annotator
//! ┌ Replying to author ─────────────────────────────────────────────┐
//! │ the parent comment, dimmed, at most three lines…                 │
//! └──────────────────────────────────────────────────────────────────┘
//! ┌ author · id ─────────────────────────────────────────────────────┐
//! │ the comment, wrapped and scrollable                              │
//! └────────────────────────────────────────── lines 1-8 of 20 ↑↓ ────┘
//! ┌ Labels ──────────────────────────────────────────────────────────┐
//! │ [x] a abusive          p 0.62  threshold 0.50  over              │
//! │     attacks people rather than ideas: ...                        │
//! └──────────────────────────────────────────────────────────────────┘
//! done 3 · remaining 97 · labeled in file 345 · 4.5/min · saved
//! a:abusive c:conspiratorial | Enter/Space:accept s:skip u:undo ?:help q:quit
//! ```

use super::{Item, LabelSpec, Progress, Session};
use crate::error::Result;
use ratatui::Frame;
use ratatui::buffer::CellWidth;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect, Size};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use unicode_segmentation::UnicodeSegmentation;

/// Most lines of the parent comment shown.
const PARENT_LINES: usize = 3;

/// Lines one PgUp/PgDn scrolls.
const PAGE: u16 = 8;

/// What the event loop does after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Keep going (redraw).
    Continue,
    /// Leave the session (everything accepted is already saved).
    Quit,
}

/// Applies one terminal event to the session, for a terminal of `size`. Errors only when
/// writing a row fails.
///
/// Keys go to [`handle_key`] when the screen fits in `size`; below that (the screen only
/// asks to enlarge the terminal, see [`fits`]) every key but the quit keys is ignored, so
/// nothing is decided about a comment not shown. Pasted text is ignored: with bracketed
/// paste on (see [`super::terminal`]) it arrives as one event, never as keys that would
/// accept or skip comments. Other events (resizes, focus, mouse) change nothing here.
pub fn handle_event(session: &mut Session, event: &Event, size: Size) -> Result<Action> {
    match event {
        Event::Key(key) if fits(size) => handle_key(session, *key),
        Event::Key(key) if is_quit(key) => Ok(Action::Quit),
        _ => Ok(Action::Continue),
    }
}

/// Whether `key` is one of the quit keys: `q`, Esc, Ctrl-C or Ctrl-D (releases aside).
fn is_quit(key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    key.kind != KeyEventKind::Release
        && match key.code {
            KeyCode::Char('c' | 'C' | 'd' | 'D') => ctrl,
            KeyCode::Char('q') => !ctrl,
            KeyCode::Esc => true,
            _ => false,
        }
}

/// Whether the labeling screen fits in a terminal of `size`; below it, [`render`] only asks
/// to enlarge the terminal and [`handle_event`] ignores every key but the quit keys.
pub fn fits(size: Size) -> bool {
    size.width >= 20 && size.height >= 8
}

/// Applies one key to the session, whatever the terminal's size (see [`handle_event`]).
/// Errors only when writing a row fails.
///
/// Keys: a label's key (or its number `1`-`9`) toggles it; Enter or Space accepts; `s`
/// skips; `u` undoes; `?` opens help (any key closes it); `q`, Esc or Ctrl-C quits;
/// arrows, `j`/`k`, PgUp/PgDn, Home scroll the comment. Key releases are ignored.
pub fn handle_key(session: &mut Session, key: KeyEvent) -> Result<Action> {
    if key.kind == KeyEventKind::Release {
        return Ok(Action::Continue);
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'C' | 'd' | 'D')) {
        return Ok(Action::Quit);
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

/// Moves the comment's scroll by `delta` lines, within what the last frame allowed.
fn scroll_by(session: &mut Session, delta: i32) {
    let max = i32::from(session.view.max_scroll.get());
    let next = (i32::from(session.view.scroll) + delta).clamp(0, max.max(0));
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
/// where a line breaks are dropped); other control and format characters are dropped
/// (see [`is_hidden`]).
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

/// The progress line.
pub fn progress_line(progress: &Progress) -> String {
    let rate = match progress.rate_per_minute {
        Some(r) => format!("{r:.1}/min"),
        None => "—/min".to_string(),
    };
    format!(
        "done {} · remaining {} · labeled in file {} · {rate}",
        progress.done, progress.remaining, progress.labeled_in_file
    )
}

/// Draws the whole screen for `session`.
pub fn render(frame: &mut Frame, session: &Session) {
    let area = frame.area();
    if !fits(area.as_size()) {
        let text = "threadguard label: enlarge the terminal (q quits)";
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let keys = key_help(session.specs());
    let key_height = if text_width(&keys) > usize::from(area.width) {
        2
    } else {
        1
    };
    let labels_height = u16::try_from(session.specs().len() * 2 + 2).unwrap_or(u16::MAX);
    let parent_height = match session.current().and_then(|i| i.parent.as_ref()) {
        Some(_) => parent_lines_height(session, area.width),
        None => 0,
    };
    let [header, parent, comment, labels, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(parent_height),
        Constraint::Min(3),
        Constraint::Length(labels_height),
        Constraint::Length(1),
        Constraint::Length(key_height),
    ])
    .areas(area);
    match session.current() {
        Some(item) => {
            render_header(frame, header, item, session.annotator());
            render_parent(frame, parent, item);
            render_comment(frame, comment, item, session);
        }
        None => render_finished(frame, header.union(comment), session),
    }
    render_labels(frame, labels, session);
    render_status(frame, status, session);
    let key_style = Style::new().add_modifier(Modifier::REVERSED);
    frame.render_widget(
        Paragraph::new(keys)
            .style(key_style)
            .wrap(Wrap { trim: true }),
        help,
    );
    if session.view.help {
        render_help(frame, area, session.specs());
    }
}

/// Height of the parent box: its wrapped lines (at most [`PARENT_LINES`]) plus borders.
fn parent_lines_height(session: &Session, width: u16) -> u16 {
    let lines = session
        .current()
        .and_then(|i| i.parent.as_ref())
        .and_then(|p| p.text.as_deref())
        .map_or(1, |t| {
            wrap_text(t, usize::from(width.saturating_sub(2)))
                .len()
                .clamp(1, PARENT_LINES)
        });
    u16::try_from(lines + 2).unwrap_or(5)
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
        block = block.title_bottom(
            Line::from(format!(
                " lines {}-{last} of {} ↑↓ PgUp/PgDn ",
                scroll + 1,
                lines.len()
            ))
            .right_aligned(),
        );
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

/// One label's two lines: toggle, key, name, probability and threshold; definition.
fn label_lines<'a>(
    spec: &'a LabelSpec,
    on: bool,
    prob: Option<f32>,
    width: usize,
) -> [Line<'a>; 2] {
    let mark = if on { "[x]" } else { "[ ]" };
    let name_style = if on {
        Style::new()
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
            .fg(Color::Yellow)
    } else {
        Style::new().add_modifier(Modifier::BOLD)
    };
    let score = match (prob, spec.threshold) {
        (Some(p), Some(t)) => {
            let side = if p >= t { "over" } else { "under" };
            format!("p {p:.2}  threshold {t:.2}  {side}")
        }
        (Some(p), None) => format!("p {p:.2}  threshold —"),
        _ => "p —  (not in the model)".to_string(),
    };
    let over = matches!((prob, spec.threshold), (Some(p), Some(t)) if p >= t);
    let score_style = if over {
        Style::new().fg(Color::Red)
    } else {
        Style::new()
    };
    let head = Line::from(vec![
        Span::styled(format!("{mark} "), name_style),
        Span::styled(format!("{} ", spec.key), Style::new().fg(Color::Cyan)),
        Span::styled(format!("{:<16}", clean_field(&spec.name)), name_style),
        Span::raw(" "),
        Span::styled(score, score_style),
    ]);
    let definition = fit(&format!("    {}", spec.definition), width);
    let def = Line::styled(definition, Style::new().add_modifier(Modifier::DIM));
    [head, def]
}

/// The labels panel: toggles, probabilities, thresholds and definitions.
fn render_labels(frame: &mut Frame, area: Rect, session: &Session) {
    let width = usize::from(area.width.saturating_sub(2));
    let item = session.current();
    let mut lines = Vec::new();
    for (i, spec) in session.specs().iter().enumerate() {
        let on = session.toggles().get(i).copied().unwrap_or(false);
        let prob = item.and_then(|it| it.probs.get(i).copied().flatten());
        lines.extend(label_lines(spec, on, prob, width));
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

/// The progress line, with the last action's message.
fn render_status(frame: &mut Frame, area: Rect, session: &Session) {
    let mut spans = vec![Span::raw(progress_line(&session.progress()))];
    if let Some(message) = &session.view.message {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(message.clone(), Style::new().fg(Color::Green)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The help overlay: every key and each label's definition.
fn render_help(frame: &mut Frame, area: Rect, specs: &[LabelSpec]) {
    let mut lines = vec![Line::styled(
        "Keys",
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for spec in specs {
        lines.push(Line::raw(format!(
            "  {}          toggle {}",
            spec.key,
            clean_field(&spec.name)
        )));
    }
    let fixed = [
        "  1-9        toggle the n-th label",
        "  Enter/Space accept (nothing marked = clean, all 0)",
        "  s          skip (saved; not offered again)",
        "  u          undo the last decision (repeatable)",
        "  ↑↓ j k     scroll the comment; PgUp/PgDn by page",
        "  q Esc      quit: every accepted decision is saved",
    ];
    lines.extend(fixed.iter().map(|s| Line::raw(*s)));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Labels",
        Style::new().add_modifier(Modifier::BOLD),
    ));
    for spec in specs {
        lines.push(Line::raw(format!(
            "  {}: {}",
            clean_field(&spec.name),
            spec.definition
        )));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Unsure after a second read? Skip. Any key closes this help.",
    ));
    let popup = centered(area, 76, 22);
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" help ");
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
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
