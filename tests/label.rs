//! Labeling sessions: queue order, the accept/skip/undo state machine and what it writes,
//! resume, the screen (rendered to ratatui's TestBackend) and batch mode end to end.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Size;
use ratatui::style::Modifier;
use ratatui::text::Line;
use std::collections::HashSet;
use std::path::Path;
use threadguard::label::ui::{self, Action};
use threadguard::label::{self, Item, LabelSpec, Order, Recorder, Session, SessionOptions, Step};
use threadguard::labels::{LabelLog, LabelWriter, UNDO_SOURCE, default_labels};
use threadguard::thread::{Comment, Thread};

// ---------- helpers ----------

fn comment(id: &str, parent: Option<&str>, author: &str, text: &str) -> Comment {
    Comment {
        id: id.into(),
        parent_id: parent.map(Into::into),
        author: Some(author.into()),
        text: text.into(),
        ..Comment::default()
    }
}

fn threads() -> Vec<Thread> {
    vec![
        Thread {
            id: "t1".into(),
            source: "in/t1.csv".into(),
            title: Some("Council votes on the new bridge".into()),
            comments: vec![
                comment("a1", None, "alice", "The bridge plan is a waste of money."),
                comment(
                    "a2",
                    Some("a1"),
                    "bob",
                    "You are an idiot, read the report.",
                ),
                comment(
                    "a3",
                    Some("a2"),
                    "carol",
                    "They staged the whole vote anyway.",
                ),
            ],
            ..Thread::default()
        },
        Thread {
            id: "t2".into(),
            source: "in/t2.csv".into(),
            title: None,
            comments: vec![
                comment("b1", None, "dora", "Nice photos of the river."),
                comment("b2", None, "ed", "   "),
                comment("b3", Some("zz"), "fay", "Agreed with the above."),
            ],
            ..Thread::default()
        },
    ]
}

fn specs(thresholds: [Option<f32>; 2]) -> Vec<LabelSpec> {
    let mut specs = label::label_specs(&default_labels(), None);
    for (spec, t) in specs.iter_mut().zip(thresholds) {
        spec.threshold = t;
    }
    specs
}

/// Items of [`threads`] with fake probabilities by id.
fn scored_items(probs: &[(&str, [Option<f32>; 2])]) -> Vec<Item> {
    let mut items = label::collect_items(&threads());
    for item in &mut items {
        let p = probs
            .iter()
            .find(|(id, _)| *id == item.id)
            .map_or([None, None], |(_, p)| *p);
        item.probs = p.to_vec();
    }
    items
}

/// A thread of one comment `c1` by `author`.
fn lone_thread(title: &str, author: &str, text: &str) -> Thread {
    Thread {
        id: "t".into(),
        source: "one.csv".into(),
        title: Some(title.into()),
        comments: vec![comment("c1", None, author, text)],
        ..Thread::default()
    }
}

fn ids(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

fn session_in(dir: &Path, items: Vec<Item>, annotator: &str) -> Session {
    let writer = LabelWriter::open(&dir.join("labels.csv"), &default_labels()).unwrap();
    let recorder = Recorder::new(writer, annotator);
    Session::new(specs([Some(0.5), Some(0.4)]), items, recorder, 0)
}

fn read_log(dir: &Path) -> LabelLog {
    LabelLog::read(&dir.join("labels.csv"), &default_labels()).unwrap()
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn press(session: &mut Session, code: KeyCode) -> Action {
    ui::handle_key(session, KeyEvent::new(code, KeyModifiers::NONE)).unwrap()
}

/// Sends `key` through [`ui::handle_event`] as from a terminal of `size`.
fn key_at(session: &mut Session, key: KeyEvent, size: (u16, u16)) -> Action {
    let size = Size::new(size.0, size.1);
    ui::handle_event(session, &Event::Key(key), size).unwrap()
}

fn draw(terminal: &mut Terminal<TestBackend>, session: &Session) {
    terminal.draw(|f| ui::render(f, session)).unwrap();
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            out.push_str(buffer.cell((x, y)).map_or(" ", |c| c.symbol()));
        }
        out.push('\n');
    }
    out
}

/// Asserts that every box on `shown` has its corners and sides where they belong.
fn assert_boxes_closed(shown: &str) {
    for row in shown.lines() {
        let first = row.chars().next().unwrap_or(' ');
        let last = row.chars().last().unwrap_or(' ');
        if "┌│└".contains(first) {
            assert!(
                "┐│┘".contains(last),
                "a box's border moved: {row:?}\n{shown}"
            );
        }
        if first == '└' {
            assert!(
                row.starts_with("└─"),
                "a corner was overwritten: {row:?}\n{shown}"
            );
        }
    }
}

/// The modifier of the first cell of the first occurrence of `needle` on screen.
fn modifier_at(terminal: &Terminal<TestBackend>, needle: &str) -> Option<Modifier> {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let row: String = (0..width)
            .map(|x| buffer.cell((x, y)).map_or(" ", |c| c.symbol()))
            .collect();
        if let Some(byte) = row.find(needle) {
            let x = u16::try_from(row[..byte].chars().count()).ok()?;
            return buffer.cell((x, y)).map(|c| c.modifier);
        }
    }
    None
}

// ---------- items and order ----------

#[test]
fn items_are_in_reading_order_with_parents_and_no_blank_comments() {
    let items = label::collect_items(&threads());
    assert_eq!(ids(&items), ["a1", "a2", "a3", "b1", "b3"]);
    let a2 = &items[1];
    let parent = a2.parent.as_ref().unwrap();
    assert_eq!(parent.author.as_deref(), Some("alice"));
    assert_eq!(
        parent.text.as_deref(),
        Some("The bridge plan is a waste of money.")
    );
    assert!(items[0].parent.is_none());
    // Parent not in the input: shown as a reply with no text.
    assert_eq!(items[4].parent.as_ref().unwrap().text, None);
    assert_eq!(items[3].thread_title, None);
    assert_eq!(items[1].source, "in/t1.csv");
}

#[test]
fn uncertain_order_puts_probabilities_near_a_threshold_first() {
    let mut items = scored_items(&[
        ("a1", [Some(0.05), Some(0.02)]), // 0.38 from conspiratorial's 0.4
        ("a2", [Some(0.52), Some(0.0)]),  // 0.02 from abusive's 0.5
        ("a3", [Some(0.0), Some(0.45)]),  // 0.05
        ("b1", [Some(0.1), Some(0.1)]),   // 0.3
        ("b3", [Some(0.1), Some(0.1)]),   // 0.3, tie with b1: reading order
    ]);
    label::order_items(
        &mut items,
        &specs([Some(0.5), Some(0.4)]),
        Order::Uncertain,
        0,
    );
    assert_eq!(ids(&items), ["a2", "a3", "b1", "b3", "a1"]);
}

#[test]
fn uncertain_order_uses_only_labels_the_model_has() {
    let mut items = scored_items(&[
        ("a1", [None, Some(0.9)]),
        ("a2", [None, Some(0.41)]),
        ("a3", [None, Some(0.1)]),
    ]);
    // The model lacks `abusive`: no threshold, no probability; b1/b3 have none at all.
    label::order_items(&mut items, &specs([None, Some(0.4)]), Order::Uncertain, 0);
    assert_eq!(ids(&items), ["a2", "a3", "a1", "b1", "b3"]);
}

#[test]
fn thread_order_is_reading_order_whatever_the_order_before() {
    let mut items = scored_items(&[]);
    items.reverse();
    label::order_items(&mut items, &specs([Some(0.5), Some(0.4)]), Order::Thread, 0);
    assert_eq!(ids(&items), ["a1", "a2", "a3", "b1", "b3"]);
}

#[test]
fn random_order_is_a_permutation_that_depends_only_on_the_seed() {
    let many: Vec<Thread> = vec![Thread {
        id: "t".into(),
        source: "x".into(),
        comments: (0..50)
            .map(|i| comment(&format!("c{i}"), None, "u", &format!("text {i}")))
            .collect(),
        ..Thread::default()
    }];
    let order = |seed: u64| {
        let mut items = label::collect_items(&many);
        items.reverse(); // the input order must not matter
        label::order_items(&mut items, &specs([None, None]), Order::Random, seed);
        items.into_iter().map(|i| i.id).collect::<Vec<_>>()
    };
    let a = order(7);
    assert_eq!(a, order(7));
    assert_ne!(a, order(8));
    let set: HashSet<&String> = a.iter().collect();
    assert_eq!(set.len(), 50);
    let reading: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
    assert_ne!(a, reading);
}

#[test]
fn label_keys_avoid_reserved_and_taken_letters() {
    let labels: Vec<String> = ["abusive", "conspiratorial", "spam", "attack", "quq"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let keys = label::assign_keys(&labels);
    // spam: s reserved -> p; attack: a taken -> t; quq: q, u reserved -> b (first free).
    assert_eq!(keys, ['a', 'c', 'p', 't', 'b']);
}

// ---------- the session state machine ----------

#[test]
fn toggle_accept_skip_and_undo_write_rows_and_latest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session_in(dir.path(), label::collect_items(&threads()), "ana");
    assert_eq!(s.current().unwrap().id, "a1");
    assert!(s.accept().unwrap()); // a1 clean
    s.toggle(0);
    assert_eq!(s.toggles(), [true, false]);
    assert!(s.accept().unwrap()); // a2 abusive
    assert_eq!(
        s.toggles(),
        [false, false],
        "toggles reset for the next comment"
    );
    assert!(s.skip().unwrap()); // a3 skipped
    assert_eq!(s.current().unwrap().id, "b1");
    assert_eq!(
        s.steps(),
        [
            Step::Accepted(vec![false, false]),
            Step::Accepted(vec![true, false]),
            Step::Skipped
        ]
    );

    // Undo twice: back over the skip, then over the accepted a2 (toggles restored).
    assert!(s.undo().unwrap());
    assert_eq!(s.current().unwrap().id, "a3");
    assert!(s.undo().unwrap());
    assert_eq!(s.current().unwrap().id, "a2");
    assert_eq!(s.toggles(), [true, false]);
    // Relabel a2 as conspiratorial only.
    s.toggle(0);
    s.toggle(1);
    assert!(s.accept().unwrap());
    let counts = s.counts();
    assert_eq!((counts.accepted, counts.skipped, counts.undone), (3, 1, 2));

    let log = read_log(dir.path());
    assert_eq!(log.rows_read, 6);
    let latest = log.latest_for_annotator("ana");
    assert_eq!(latest["a1"].values, [Some(false), Some(false)]);
    assert_eq!(latest["a2"].values, [Some(false), Some(true)]);
    assert_eq!(latest["a2"].source, "in/t1.csv");
    assert_eq!(latest["a2"].parent_id, "a1");
    assert_eq!(latest["a2"].author, "bob");
    assert_eq!(latest["a2"].text, "You are an idiot, read the report.");
    assert!(!latest["a2"].labeled_at.is_empty());
    assert!(!latest.contains_key("a3"), "the skip of a3 was undone");
    let decided = log.decided();
    assert!(decided.contains(&("a2".to_string(), "ana".to_string())));
    assert!(!decided.contains(&("a3".to_string(), "ana".to_string())));
    // The undo rows are there, never rewritten.
    let raw = std::fs::read_to_string(dir.path().join("labels.csv")).unwrap();
    assert_eq!(raw.matches(&format!(",{UNDO_SOURCE}\n")).count(), 2);
}

#[test]
fn undo_goes_back_to_the_first_comment_and_no_further() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session_in(dir.path(), label::collect_items(&threads()), "ana");
    s.accept().unwrap();
    s.skip().unwrap();
    assert!(s.undo().unwrap());
    assert!(s.undo().unwrap());
    assert_eq!(s.current().unwrap().id, "a1");
    assert!(!s.undo().unwrap(), "nothing left to undo");
    assert_eq!(s.counts().undone, 2);
    assert!(read_log(dir.path()).decided().is_empty());
}

#[test]
fn the_end_of_the_queue_writes_nothing_more_and_can_be_undone() {
    let dir = tempfile::tempdir().unwrap();
    let mut items = label::collect_items(&threads());
    items.truncate(1);
    let mut s = session_in(dir.path(), items, "ana");
    s.accept().unwrap();
    assert!(s.is_finished());
    assert!(!s.accept().unwrap());
    assert!(!s.skip().unwrap());
    s.toggle(0); // no-op
    assert_eq!(s.counts().rows(), 1);
    assert!(s.undo().unwrap());
    assert_eq!(s.current().unwrap().id, "a1");
}

#[test]
fn progress_counts_done_remaining_and_labeled_in_file() {
    let dir = tempfile::tempdir().unwrap();
    let writer = LabelWriter::open(&dir.path().join("labels.csv"), &default_labels()).unwrap();
    let recorder = Recorder::new(writer, "ana");
    let items = label::collect_items(&threads());
    let mut s = Session::new(specs([None, None]), items, recorder, 10);
    s.accept().unwrap();
    s.skip().unwrap();
    let p = s.progress();
    assert_eq!((p.done, p.remaining, p.labeled_in_file), (2, 3, 11));
    s.undo().unwrap();
    s.undo().unwrap();
    let p = s.progress();
    assert_eq!((p.done, p.remaining, p.labeled_in_file), (0, 5, 10));
}

#[test]
fn the_rate_per_minute_counts_decisions_net_of_undos() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = session_in(dir.path(), label::collect_items(&threads()), "ana");
    s.accept().unwrap();
    s.skip().unwrap();
    s.undo().unwrap();
    s.accept().unwrap();
    s.undo().unwrap();
    let a_minute_on = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let rate = s.progress_at(a_minute_on).rate_per_minute.unwrap();
    assert!(
        (rate - 1.0).abs() < 0.01,
        "one decision stands, rate {rate}"
    );
    s.undo().unwrap();
    assert_eq!(s.progress_at(a_minute_on).rate_per_minute, None);
}

fn options(dir: &Path, annotator: &str, order: Order) -> SessionOptions {
    SessionOptions {
        out: dir.join("labels.csv"),
        labels: default_labels(),
        annotator: annotator.to_string(),
        order,
        seed: 0,
        limit: None,
    }
}

#[test]
fn resume_skips_what_this_annotator_decided_but_offers_undone_items_again() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), "ana", Order::Thread);
    let mut first = Session::start(&threads(), None, &opts).unwrap();
    first.accept().unwrap(); // a1
    first.skip().unwrap(); // a2 (skips count as decided)
    first.accept().unwrap(); // a3
    first.undo().unwrap(); // a3 undone: offered again
    drop(first);

    let second = Session::start(&threads(), None, &opts).unwrap();
    assert_eq!(ids(second.queue()), ["a3", "b1", "b3"]);
    assert_eq!(second.progress().labeled_in_file, 1);
    // Another annotator gets everything.
    let other =
        Session::start(&threads(), None, &options(dir.path(), "ben", Order::Thread)).unwrap();
    assert_eq!(other.queue().len(), 5);
    // --limit caps the queue (in a session of its own: one per annotator at a time).
    drop(second);
    let mut limited = options(dir.path(), "ana", Order::Thread);
    limited.limit = Some(2);
    let limited = Session::start(&threads(), None, &limited).unwrap();
    assert_eq!(ids(limited.queue()), ["a3", "b1"]);
}

/// The names of the files in `dir`, sorted.
fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Two sessions of one annotator on one file could undo each other's decisions: the
/// second is refused at its start, naming the file and the annotator, until the first
/// ends. Other annotators label the same file meanwhile.
#[test]
fn a_second_session_of_an_annotator_on_a_file_is_refused_until_the_first_ends() {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(dir.path(), "ana", Order::Thread);
    let mut first = Session::start(&threads(), None, &opts).unwrap();
    first.accept().unwrap(); // a1
    let err = Session::start(&threads(), None, &opts)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    let expected = format!(
        "{}: another labeling session of annotator `ana` holds this file",
        opts.out.display()
    );
    assert!(err.starts_with(&expected), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // Other annotators, `Ana` too, label the same file at the same time.
    let mut ben =
        Session::start(&threads(), None, &options(dir.path(), "ben", Order::Thread)).unwrap();
    let mut upper =
        Session::start(&threads(), None, &options(dir.path(), "Ana", Order::Thread)).unwrap();
    ben.accept().unwrap();
    upper.skip().unwrap();
    first.accept().unwrap(); // a2
    // The lock files are hidden from directory inputs.
    let inputs = threadguard::ingest::supported_files(dir.path()).unwrap();
    assert_eq!(inputs, std::slice::from_ref(&opts.out));

    // Once the first session ends, the annotator starts again where it stopped.
    drop(first);
    let again = Session::start(&threads(), None, &opts).unwrap();
    assert_eq!(ids(again.queue()), ["a3", "b1", "b3"]);
    let lock_files: Vec<String> = file_names(dir.path())
        .into_iter()
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert_eq!(lock_files.len(), 3, "{lock_files:?}");
    drop((again, ben, upper));
    assert_eq!(file_names(dir.path()), ["labels.csv"], "no lock file left");

    // A lock file left by a session that crashed is not locked: it blocks nothing.
    for name in &lock_files {
        std::fs::write(dir.path().join(name), "").unwrap();
    }
    drop(Session::start(&threads(), None, &opts).unwrap());
    let log = read_log(dir.path());
    assert_eq!(
        log.latest.len(),
        4,
        "a1 and a2 of ana, a1 of ben and of Ana"
    );
}

/// The batch mode takes the same lock, across processes.
#[test]
fn batch_mode_is_refused_while_a_session_of_the_same_annotator_runs() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    let held = Session::start(&threads(), None, &options(dir.path(), "ci", Order::Thread)).unwrap();
    let other =
        Session::start(&threads(), None, &options(dir.path(), "ana", Order::Thread)).unwrap();
    let before = std::fs::read(&labels).unwrap();
    batch(dir.path(), "a1,abusive\n")
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}: another labeling session of annotator `ci` holds this file",
            labels.display()
        )));
    assert_eq!(std::fs::read(&labels).unwrap(), before, "nothing written");
    drop(held);
    batch(dir.path(), "a1,abusive\n").success();
    drop(other);
    assert_eq!(read_log(dir.path()).latest_for_annotator("ci").len(), 1);
}

// ---------- the screen and keys ----------

fn tui_session(dir: &Path) -> Session {
    let items = scored_items(&[
        ("a1", [Some(0.10), Some(0.05)]),
        ("a2", [Some(0.62), Some(0.08)]),
        ("a3", [Some(0.20), Some(0.55)]),
    ]);
    let mut items = items;
    label::order_items(&mut items, &specs([Some(0.5), Some(0.4)]), Order::Thread, 0);
    items.remove(0); // start on a2, a reply
    session_in(dir, items, "ana")
}

#[test]
fn screen_at_80x24_shows_comment_parent_scores_definitions_progress_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let s = tui_session(dir.path());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut terminal, &s);
    let text = screen(&terminal);
    assert!(
        text.contains("You are an idiot, read the report."),
        "{text}"
    );
    assert!(text.contains("bob"), "{text}");
    assert!(text.contains("Council votes on the new bridge"), "{text}");
    assert!(text.contains("replying to alice"), "{text}");
    assert!(
        text.contains("The bridge plan is a waste of money."),
        "{text}"
    );
    let dim = modifier_at(&terminal, "The bridge plan").unwrap();
    assert!(dim.contains(Modifier::DIM), "parent is dimmed: {dim:?}");
    let comment = modifier_at(&terminal, "You are an idiot").unwrap();
    assert!(!comment.contains(Modifier::DIM));
    assert!(text.contains("p 0.62  threshold 0.50  over"), "{text}");
    assert!(text.contains("p 0.08  threshold 0.40  under"), "{text}");
    assert!(text.contains("attacks people rather than ideas"), "{text}");
    assert!(
        text.contains("asserts events are secretly orchestrated"),
        "{text}"
    );
    assert!(
        text.contains("done 0 · remaining 4 · labeled in file 0"),
        "{text}"
    );
    assert!(
        text.contains(
            "a:abusive c:conspiratorial | Enter/Space:accept s:skip u:undo ?:help q:quit"
        ),
        "{text}"
    );
}

#[test]
fn keys_toggle_accept_skip_undo_and_quit_through_the_screen() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();

    assert_eq!(ui::handle_key(&mut s, key('a')).unwrap(), Action::Continue);
    draw(&mut terminal, &s);
    assert!(screen(&terminal).contains("[x] a abusive"));
    assert!(screen(&terminal).contains("[ ] c conspiratorial"));
    // A key release does nothing (Windows sends both).
    let mut release = key('a');
    release.kind = KeyEventKind::Release;
    ui::handle_key(&mut s, release).unwrap();
    assert_eq!(s.toggles(), [true, false]);
    // Chords are not their letter: Ctrl-S does not skip, Alt-A does not toggle.
    for (c, m) in [('s', KeyModifiers::CONTROL), ('a', KeyModifiers::ALT)] {
        let chord = KeyEvent::new(KeyCode::Char(c), m);
        assert_eq!(ui::handle_key(&mut s, chord).unwrap(), Action::Continue);
    }
    assert_eq!(s.toggles(), [true, false]);
    assert_eq!(s.counts().rows(), 0);

    press(&mut s, KeyCode::Enter);
    draw(&mut terminal, &s);
    let text = screen(&terminal);
    assert!(
        text.contains("They staged the whole vote anyway."),
        "{text}"
    );
    assert!(
        text.contains("done 1 · remaining 3 · labeled in file 1"),
        "{text}"
    );
    assert!(text.contains("saved"), "{text}");

    // `2` toggles the second label, Space accepts.
    ui::handle_key(&mut s, key('2')).unwrap();
    assert_eq!(s.toggles(), [false, true]);
    ui::handle_key(&mut s, key(' ')).unwrap();
    ui::handle_key(&mut s, key('s')).unwrap();
    assert_eq!(s.current().unwrap().id, "b3");
    ui::handle_key(&mut s, key('u')).unwrap();
    ui::handle_key(&mut s, key('u')).unwrap();
    assert_eq!(s.current().unwrap().id, "a3");
    assert_eq!(s.toggles(), [false, true]);
    draw(&mut terminal, &s);
    assert!(screen(&terminal).contains("undid the decision on a3"));

    // Help overlay: opens with ?, any key closes it without acting.
    ui::handle_key(&mut s, key('?')).unwrap();
    draw(&mut terminal, &s);
    assert!(screen(&terminal).contains("undo the last decision"));
    ui::handle_key(&mut s, key('s')).unwrap();
    assert_eq!(
        s.current().unwrap().id,
        "a3",
        "the key only closed the help"
    );
    assert!(!s.view.help);

    // Ctrl-C quits, it does not toggle `c`.
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(ui::handle_key(&mut s, ctrl_c).unwrap(), Action::Quit);
    assert_eq!(s.toggles(), [false, true]);
    assert_eq!(ui::handle_key(&mut s, key('q')).unwrap(), Action::Quit);

    let log = read_log(dir.path());
    let latest = log.latest_for_annotator("ana");
    assert_eq!(latest["a2"].values, [Some(true), Some(false)]);
    assert!(!latest.contains_key("a3") && !latest.contains_key("b1"));
}

#[test]
fn below_the_minimum_size_only_the_quit_keys_act() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    let mut terminal = Terminal::new(TestBackend::new(30, 6)).unwrap();
    draw(&mut terminal, &s);
    assert!(
        screen(&terminal).contains("enlarge"),
        "{}",
        screen(&terminal)
    );
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    let page_down = KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE);
    for k in [
        key('a'),
        enter,
        key('s'),
        key(' '),
        key('u'),
        key('?'),
        key('2'),
    ] {
        assert_eq!(key_at(&mut s, k, (30, 6)), Action::Continue);
    }
    key_at(&mut s, page_down, (30, 6));
    assert_eq!(
        s.counts().rows(),
        0,
        "nothing decided on a comment not shown"
    );
    assert_eq!(s.toggles(), [false, false]);
    assert!(!s.view.help);
    assert_eq!(read_log(dir.path()).rows_read, 0);
    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for quit in [key('q'), esc, ctrl_c] {
        assert_eq!(key_at(&mut s, quit, (30, 6)), Action::Quit);
    }
    // Chords of them do nothing, at any size, as in handle_key.
    let alt_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT);
    for size in [(30, 6), (80, 24)] {
        assert_eq!(key_at(&mut s, alt_q, size), Action::Continue);
    }
    // Once the terminal is large enough, the same keys act.
    key_at(&mut s, key('a'), (80, 24));
    assert_eq!(s.toggles(), [true, false]);
    key_at(&mut s, enter, (80, 24));
    assert_eq!(s.counts().accepted, 1);
}

#[test]
fn pasted_text_decides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    let paste = Event::Paste("a s  c\n u ? q".to_string());
    let action = ui::handle_event(&mut s, &paste, Size::new(80, 24)).unwrap();
    assert_eq!(action, Action::Continue);
    assert_eq!(s.counts().rows(), 0);
    assert_eq!(s.toggles(), [false, false]);
    assert_eq!(s.current().unwrap().id, "a2");
    assert!(!s.view.help);
}

/// A session over [`threads`] with `names` as labels (thresholds 0.5, probabilities
/// 0.62 for the first label and 0.08 for the others), starting on a2, a reply.
fn session_with_labels(dir: &Path, names: &[&str]) -> Session {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut specs = label::label_specs(&names, None);
    for spec in &mut specs {
        spec.threshold = Some(0.5);
    }
    let mut items = label::collect_items(&threads());
    for item in &mut items {
        item.probs = (0..names.len())
            .map(|i| Some(if i == 0 { 0.62 } else { 0.08 }))
            .collect();
    }
    items.remove(0);
    let writer = LabelWriter::open(&dir.join("labels.csv"), &names).unwrap();
    Session::new(specs, items, Recorder::new(writer, "ana"), 0)
}

#[test]
fn at_every_size_the_screen_shows_all_toggles_the_header_and_the_keys_or_asks_to_enlarge() {
    let dir = tempfile::tempdir().unwrap();
    let two = tui_session(dir.path());
    let other = tempfile::tempdir().unwrap();
    let six = session_with_labels(
        other.path(),
        &[
            "abusive",
            "conspiratorial",
            "spam",
            "threat",
            "off topic",
            "sarcasm",
        ],
    );
    let mut fitting = 0;
    for s in [&two, &six] {
        for (w, h) in (20..=90).flat_map(|w| (5..=32).map(move |h| (w, h))) {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            draw(&mut terminal, s);
            let shown = screen(&terminal);
            if !ui::fits(Size::new(w, h), s.specs()) {
                assert!(shown.contains("enlarge"), "{w}x{h}:\n{shown}");
                continue;
            }
            fitting += 1;
            assert!(shown.starts_with("Council votes"), "{w}x{h}:\n{shown}");
            for spec in s.specs() {
                let toggle = format!("[ ] {} {}", spec.key, &spec.name[..4]);
                assert!(shown.contains(&toggle), "{toggle} at {w}x{h}:\n{shown}");
            }
            assert_eq!(shown.matches(" over").count(), 1, "{w}x{h}:\n{shown}");
            let under = s.specs().len() - 1;
            assert_eq!(shown.matches(" under").count(), under, "{w}x{h}:\n{shown}");
            for keys in [
                "a:abusive",
                "Enter/Space:accept",
                "u:undo",
                "?:help",
                "q:quit",
            ] {
                assert!(shown.contains(keys), "{keys} at {w}x{h}:\n{shown}");
            }
            assert!(shown.contains("done 0 · "), "{w}x{h}:\n{shown}");
        }
    }
    assert!(fitting > 1000, "only {fitting} sizes fit");
    // The sizes the tester saw lose lines fit no more; common ones do.
    for (w, h) in [(25, 10), (20, 8), (30, 6)] {
        assert!(!ui::fits(Size::new(w, h), two.specs()), "{w}x{h}");
    }
    for (w, h) in [(80, 24), (40, 16), (30, 14)] {
        assert!(ui::fits(Size::new(w, h), two.specs()), "{w}x{h}");
    }
    // More labels need more rows.
    assert!(!ui::fits(Size::new(80, 14), six.specs()));
    assert!(ui::fits(Size::new(80, 18), six.specs()));
}

#[test]
fn narrow_terminals_wrap_the_keys_and_shorten_the_status_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::Char('u'));
    let mut terminal = Terminal::new(TestBackend::new(40, 30)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(shown.contains("undid the decision on a2"), "{shown}");
    assert!(shown.contains("done 0 · left 4 · in file 0"), "{shown}");
    assert!(shown.contains("c:conspiratorial"), "{shown}");
    assert!(shown.contains("q:quit"), "{shown}");
    assert!(shown.contains("abusive        0.62 over"), "{shown}");
    assert!(shown.contains("conspiratorial 0.08 under"), "{shown}");
    let mut terminal = Terminal::new(TestBackend::new(50, 30)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(shown.contains("p 0.62 / 0.50 over"), "{shown}");
    assert!(shown.contains("p 0.08 / 0.40 under"), "{shown}");
    // With no row to spare, the progress is shortest and the message cut.
    let h = u16::try_from(ui::min_height(40, s.specs())).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(40, h)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(
        shown.contains("done 0 · left 4 · undid the deci"),
        "{shown}"
    );
}

#[test]
fn label_names_are_padded_by_their_width_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let s = session_with_labels(dir.path(), &["暴言", "conspiratorial"]);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    // Each cell is one char of `screen` (a wide char's second cell is a space).
    let columns: Vec<usize> = shown
        .lines()
        .filter(|row| row.contains("[ ] "))
        .map(|row| {
            let byte = row.find("p 0.").unwrap();
            row[..byte].chars().count()
        })
        .collect();
    assert_eq!(columns.len(), 2, "{shown}");
    assert_eq!(columns[0], columns[1], "scores not aligned:\n{shown}");
}

#[test]
fn the_finished_screen_shows_the_thresholds_of_labels_the_model_has() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    while !s.is_finished() {
        s.skip().unwrap();
    }
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(shown.contains("Nothing left to label"), "{shown}");
    assert!(!shown.contains("not in the model"), "{shown}");
    assert!(shown.contains("p —  threshold 0.50"), "{shown}");
    assert!(shown.contains("p —  threshold 0.40"), "{shown}");
}

#[test]
fn ctrl_l_asks_for_a_redraw_at_any_size_and_decides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = tui_session(dir.path());
    let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
    assert_eq!(key_at(&mut s, ctrl_l, (80, 24)), Action::Redraw);
    assert_eq!(key_at(&mut s, ctrl_l, (30, 6)), Action::Redraw);
    key_at(&mut s, key('?'), (80, 24));
    assert_eq!(key_at(&mut s, ctrl_l, (80, 24)), Action::Redraw);
    assert!(s.view.help, "a redraw keeps the help open");
    assert_eq!(s.counts().rows(), 0);
    assert_eq!(s.toggles(), [false, false]);
}

#[test]
fn the_help_grows_with_the_labels_and_wraps_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["abusive", "conspiratorial", "spam", "threat", "sarcasm"];
    let mut s = session_with_labels(dir.path(), &names);
    ui::handle_key(&mut s, key('?')).unwrap();
    for (w, h) in [(100, 40), (50, 44)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        draw(&mut terminal, &s);
        let shown = screen(&terminal);
        for name in names {
            assert!(
                shown.contains(&format!("toggle {name}")),
                "{w}x{h}:\n{shown}"
            );
        }
        assert!(
            shown.contains("Ctrl-L     clear and redraw"),
            "{w}x{h}:\n{shown}"
        );
        assert!(shown.contains("this help."), "{w}x{h}:\n{shown}");
        assert_boxes_closed(&shown);
    }
}

#[test]
fn long_comments_scroll_and_the_screen_survives_resizes() {
    let dir = tempfile::tempdir().unwrap();
    let long: String = (1..=60).map(|i| format!("word{i} ")).collect();
    let thread = Thread {
        id: "t".into(),
        source: "long.csv".into(),
        comments: vec![
            comment("p", None, "pat", &"parent text ".repeat(40)),
            comment(
                "x",
                Some("p"),
                "xi",
                &format!("{long}\n\n{long}\n\n{long}THE-END"),
            ),
        ],
        ..Thread::default()
    };
    let mut items = label::collect_items(&[thread]);
    items.remove(0);
    let mut s = session_in(dir.path(), items, "ana");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut terminal, &s);
    let text = screen(&terminal);
    assert!(text.contains("word1 "), "{text}");
    assert!(!text.contains("THE-END"), "{text}");
    assert!(text.contains("↑↓ PgUp/PgDn"), "{text}");
    for _ in 0..20 {
        press(&mut s, KeyCode::PageDown);
    }
    draw(&mut terminal, &s);
    assert!(screen(&terminal).contains("THE-END"));
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Home);
    draw(&mut terminal, &s);
    assert!(screen(&terminal).contains("word1 "));

    for (w, h) in [
        (100, 30),
        (60, 20),
        (40, 12),
        (30, 16),
        (10, 5),
        (1, 1),
        (200, 60),
        (80, 24),
    ] {
        terminal.backend_mut().resize(w, h);
        terminal.autoresize().unwrap();
        draw(&mut terminal, &s);
        assert_boxes_closed(&screen(&terminal));
        ui::handle_key(&mut s, key('?')).unwrap();
        draw(&mut terminal, &s);
        ui::handle_key(&mut s, key('?')).unwrap();
    }
    draw(&mut terminal, &s);
    let text = screen(&terminal);
    assert!(text.contains("done 0 · remaining 1"), "{text}");

    // The finished screen renders too.
    press(&mut s, KeyCode::Enter);
    for (w, h) in [(80, 24), (60, 20)] {
        terminal.backend_mut().resize(w, h);
        terminal.autoresize().unwrap();
        draw(&mut terminal, &s);
    }
    assert!(screen(&terminal).contains("Nothing left to label"));
}

#[test]
fn wide_emoji_are_measured_as_ratatui_draws_them_so_no_wrapped_line_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    // "☺️" is one column plus a zero-width selector per char, but drawn two columns wide.
    let text = format!("{} secret ending words", "☺\u{fe0f}".repeat(24));
    let items = label::collect_items(&[lone_thread("Emoji", "emo", &text)]);
    let s = session_in(dir.path(), items, "ana");
    let mut terminal = Terminal::new(TestBackend::new(50, 16)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(shown.contains("secret ending words"), "{shown}");

    let samples = [
        text.as_str(),
        "❤\u{fe0f}❤\u{fe0f} 日本語のテキストです 🇺🇸🇬🇧🇫🇷 e\u{301}e\u{301}",
        "👨\u{200d}👩\u{200d}👧 family ｶﾞｷﾞ",
    ];
    for sample in samples {
        for width in 2..=30 {
            for wrapped in ui::wrap_text(sample, width) {
                let drawn = Line::from(wrapped.as_str()).width();
                assert!(drawn <= width, "{wrapped:?} is {drawn} wide, over {width}");
            }
        }
    }
}

#[test]
fn zero_width_characters_are_dropped_and_flag_halves_get_a_cell_each() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "id\u{200b}iot and\u{200c} more\u{200d} text \u{feff}here \u{202e}evil\u{202c} 🇺🇸 flag";
    let items = label::collect_items(&[lone_thread("Zero width", "zed", text)]);
    let s = session_in(dir.path(), items, "ana");
    let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    assert!(
        shown.contains("idiot and more text here evil 🇺🇸 flag"),
        "{shown}"
    );
    let format_chars = ['\u{200b}', '\u{200c}', '\u{200d}', '\u{feff}', '\u{202e}'];
    let regional = |c: char| ('\u{1F1E6}'..='\u{1F1FF}').contains(&c);
    for cell in terminal.backend().buffer().content() {
        let symbol = cell.symbol();
        assert!(
            !symbol.contains(format_chars),
            "{symbol:?} reaches the terminal"
        );
        assert!(
            symbol.chars().filter(|&c| regional(c)).count() <= 1,
            "{symbol:?}"
        );
    }
}

#[test]
fn authors_titles_and_ids_are_sanitized_like_comment_text() {
    let dir = tempfile::tempdir().unwrap();
    let thread = Thread {
        id: "t\u{1b}[2J1".into(),
        source: "in/odd\tname.csv".into(),
        title: Some("Line one\nLine two\r\n\tend".into()),
        comments: vec![
            comment("p\n1", None, "par\tent\u{200b}", "The parent."),
            comment(
                "c\t1",
                Some("p\n1"),
                "\u{1b}[31mred\u{1b}[0m\tname\r\nx",
                "Text.",
            ),
        ],
        ..Thread::default()
    };
    let mut items = label::collect_items(&[thread]);
    items.remove(0);
    let s = session_in(dir.path(), items, "ana\tb");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    draw(&mut terminal, &s);
    let shown = screen(&terminal);
    let rows: Vec<&str> = shown.lines().collect();
    assert!(
        rows[0].starts_with("Line one Line two end — t[2J1 (in/odd name.csv)"),
        "{shown}"
    );
    assert!(rows[0].ends_with(" ana b"), "{shown}");
    assert!(rows[1].starts_with("┌ replying to par ent ─"), "{shown}");
    let top = rows.iter().find(|r| r.contains("name x")).unwrap();
    assert!(top.starts_with("┌ [31mred[0m name x · c 1 ─"), "{shown}");
    assert_boxes_closed(&shown);
}

/// The first comment line shown, from the scroll indicator ("lines 3-10 of 20").
fn first_line_shown(terminal: &Terminal<TestBackend>) -> usize {
    let shown = screen(terminal);
    let start = shown.find("lines ").expect("a scroll indicator") + "lines ".len();
    let digits: String = shown[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap()
}

#[test]
fn the_first_scroll_up_after_a_resize_moves_the_comment() {
    let dir = tempfile::tempdir().unwrap();
    let long: String = (1..=800).map(|i| format!("word{i} ")).collect();
    let items = label::collect_items(&[lone_thread("Long", "lee", &long)]);
    let mut s = session_in(dir.path(), items, "ana");
    let mut terminal = Terminal::new(TestBackend::new(60, 20)).unwrap();
    draw(&mut terminal, &s);
    for _ in 0..40 {
        press(&mut s, KeyCode::PageDown);
    }
    draw(&mut terminal, &s);
    let bottom = first_line_shown(&terminal);
    // A larger terminal shows more lines, so the largest scroll is lower.
    terminal.backend_mut().resize(100, 40);
    terminal.autoresize().unwrap();
    draw(&mut terminal, &s);
    let after_resize = first_line_shown(&terminal);
    assert!(after_resize < bottom);
    press(&mut s, KeyCode::Up);
    draw(&mut terminal, &s);
    assert_eq!(first_line_shown(&terminal), after_resize - 1);
    press(&mut s, KeyCode::PageUp);
    draw(&mut terminal, &s);
    assert_eq!(first_line_shown(&terminal), after_resize - 9);
}

#[test]
fn wrap_text_wraps_words_breaks_long_words_and_keeps_paragraphs() {
    let lines = ui::wrap_text("one two three\n\nfour\tfive abcdefghijkl", 8);
    assert_eq!(
        lines,
        ["one two", "three", "", "four", "five", "abcdefgh", "ijkl"]
    );
    assert!(ui::wrap_text("x\u{1b}[31my", 10)[0] == "x[31my");
    assert_eq!(ui::wrap_text("a\r\nb\rc", 10), ["a", "b", "c"]);
    // Indentation and runs of spaces stay; the spaces where a line breaks go.
    assert_eq!(
        ui::wrap_text("  indented\tx  y", 30),
        ["  indented    x  y"]
    );
    assert_eq!(ui::wrap_text("ab   cd", 4), ["ab", "cd"]);
    assert_eq!(ui::wrap_text("abc", 0), ["a", "b", "c"]);
}

// ---------- batch mode, end to end ----------

const INPUT: &str = "id,thread_id,parent_id,author,text\n\
a1,t1,,alice,The bridge plan is a waste of money.\n\
a2,t1,a1,bob,\"You are an idiot, read the report.\"\n\
a3,t1,a2,carol,They staged the whole vote anyway.\n\
b1,t2,,dora,Nice photos of the river.\n";

fn batch(dir: &Path, stdin: &str) -> assert_cmd::assert::Assert {
    batch_to(dir, &dir.join("labels.csv"), stdin)
}

fn batch_to(dir: &Path, labels: &Path, stdin: &str) -> assert_cmd::assert::Assert {
    let input = dir.join("comments.csv");
    std::fs::write(&input, INPUT).unwrap();
    label_batch(&input, labels, &[], stdin)
}

/// `threadguard label INPUT --out LABELS --annotator ci --batch EXTRA...` with `stdin`.
fn label_batch(
    input: &Path,
    labels: &Path,
    extra: &[&str],
    stdin: &str,
) -> assert_cmd::assert::Assert {
    Command::cargo_bin("threadguard")
        .unwrap()
        .arg("label")
        .arg(input)
        .arg("--out")
        .arg(labels)
        .args(["--annotator", "ci", "--batch"])
        .args(extra)
        .write_stdin(stdin.to_string())
        .assert()
}

#[test]
fn batch_mode_writes_decisions_skips_and_undos() {
    let dir = tempfile::tempdir().unwrap();
    let decisions = "# a comment line\n\
a1,\n\
a2,abusive\n\
a3,abusive;conspiratorial\n\
\n\
b1,skip\n\
a3,undo\n\
a3, conspiratorial \n";
    batch(dir.path(), decisions).success().stdout(
        predicate::str::contains("wrote 6 rows")
            .and(predicate::str::contains("4 decisions, 1 skip, 1 undo")),
    );
    let log = read_log(dir.path());
    assert_eq!(log.rows_read, 6);
    let latest = log.latest_for_annotator("ci");
    assert_eq!(latest["a1"].values, [Some(false), Some(false)]);
    assert_eq!(latest["a2"].values, [Some(true), Some(false)]);
    assert_eq!(latest["a2"].text, "You are an idiot, read the report.");
    assert_eq!(latest["a3"].values, [Some(false), Some(true)]);
    assert_eq!(latest["b1"].values, [None, None]);
    assert!(latest["a1"].source.ends_with("comments.csv"));
    assert_eq!(log.decided().len(), 4);
    assert_eq!(log.labeled_count(), 3);
}

#[test]
fn a_batch_skip_never_erases_labels_from_this_run_or_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    // a1 labeled in an earlier run, a2 in this one, a3 labeled then undone, b1 new.
    batch(dir.path(), "a1,abusive\n").success();
    let out = batch(
        dir.path(),
        "a1,skip\na2,\na2,skip\na3,abusive\na3,undo\na3,skip\nb1,skip\n",
    )
    .success()
    .stderr(
        predicate::str::contains("<stdin>:1: `a1` keeps its labels")
            .and(predicate::str::contains("<stdin>:3: `a2` keeps its labels"))
            .and(predicate::str::contains("`a3` keeps").not()),
    )
    .get_output()
    .stdout
    .clone();
    let acks = String::from_utf8(out).unwrap();
    assert_eq!(acks.lines().filter(|l| l.starts_with("ok ")).count(), 7);
    let log = read_log(dir.path());
    let latest = log.latest_for_annotator("ci");
    assert_eq!(latest["a1"].values, [Some(true), Some(false)]);
    assert_eq!(latest["a2"].values, [Some(false), Some(false)]);
    assert_eq!(latest["a3"].values, [None, None], "skipped after its undo");
    assert_eq!(latest["b1"].values, [None, None]);
    // 1 row from the first run; a2, a3, a3's undo, a3's skip and b1's skip from the second.
    assert_eq!(log.rows_read, 6);
}

#[test]
fn a_session_refuses_a_labels_file_with_labels_it_would_leave_empty() {
    let dir = tempfile::tempdir().unwrap();
    batch(dir.path(), "a1,abusive\n").success();
    let before = std::fs::read(dir.path().join("labels.csv")).unwrap();
    // One label per pass would write rows with `abusive` empty, erasing a1's.
    let input = dir.path().join("comments.csv");
    let labels = dir.path().join("labels.csv");
    label_batch(
        &input,
        &labels,
        &["--labels", "conspiratorial"],
        "a1,conspiratorial\n",
    )
    .failure()
    .stderr(
        predicate::str::contains("also labels abusive")
            .and(predicate::str::contains("--labels conspiratorial,abusive")),
    );
    assert_eq!(
        std::fs::read(dir.path().join("labels.csv")).unwrap(),
        before
    );

    // Another column order or an extra column (`spans`, as imports write) hides nothing;
    // a column of other values (`note`) is no label.
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        "id,thread_id,parent_id,author,text,abusive,annotator,labeled_at,source,conspiratorial,note,spans\n\
         a1,t1,,,x,0,ci,,label,1,looks fine,\n",
    )
    .unwrap();
    let run = |labels: &str| label_batch(&input, &other, &["--labels", labels], "a1,\n");
    run("abusive").failure().stderr(
        predicate::str::contains("also labels conspiratorial,")
            .and(predicate::str::contains("note").not()),
    );
    run("abusive,conspiratorial").success();
}

#[test]
fn a_session_reports_a_row_cut_by_a_crash_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    batch(dir.path(), "a1,abusive\n").success();
    let labels = dir.path().join("labels.csv");
    let mut cut = std::fs::read(&labels).unwrap();
    cut.extend_from_slice(b"a2,t1,,bob,\"You are an id");
    std::fs::write(&labels, &cut).unwrap();
    batch(dir.path(), "a2,abusive\n").success().stderr(
        predicate::str::contains("threadguard: warning: ").and(predicate::str::contains(
            "labels.csv:3: skipped a partial row",
        )),
    );
    let latest = read_log(dir.path()).latest_for_annotator("ci").len();
    assert_eq!(latest, 2, "a1 and the new a2");
}

#[test]
fn batch_mode_stops_at_an_unknown_id_or_label_with_its_line_and_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    batch(dir.path(), "a1,abusive\nnope,abusive\na2,\n")
        .failure()
        .stderr(predicate::str::contains("<stdin>:2").and(predicate::str::contains("nope")));
    let log = read_log(dir.path());
    assert_eq!(log.rows_read, 1);
    assert_eq!(
        log.latest_for_annotator("ci")["a1"].values,
        [Some(true), Some(false)]
    );

    batch(dir.path(), "a2,\na3,rude\n")
        .failure()
        .stderr(predicate::str::contains("<stdin>:2").and(predicate::str::contains("`rude`")));
    batch(dir.path(), "just-an-id\n")
        .failure()
        .stderr(predicate::str::contains("<stdin>:1"));
    assert_eq!(read_log(dir.path()).rows_read, 2);
}

#[test]
fn without_a_terminal_label_asks_for_batch_and_batch_refuses_stdin_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("comments.csv");
    std::fs::write(&input, INPUT).unwrap();
    let out = dir.path().join("labels.csv");
    Command::cargo_bin("threadguard")
        .unwrap()
        .arg("label")
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .write_stdin("")
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("needs a terminal").and(predicate::str::contains("--batch")),
        );
    Command::cargo_bin("threadguard")
        .unwrap()
        .args(["label", "-", "--batch", "--out"])
        .arg(&out)
        .write_stdin("a1,\n")
        .assert()
        .failure()
        .stderr(predicate::str::contains("`-`"));
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn batch_mode_acknowledges_each_saved_decision_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = batch(dir.path(), "# header\na1,abusive\n\na2,skip\nnope,\na3,\n")
        .failure()
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(out).unwrap();
    let acks: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ok ")).collect();
    assert_eq!(acks, ["ok 2 a1,abusive", "ok 4 a2,skip"]);
    assert_eq!(read_log(dir.path()).rows_read, acks.len());
}

#[test]
fn batch_mode_labels_ids_starting_with_a_hash_and_skips_comment_lines() {
    // `#7` was read as a comment line and dropped without a word.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hashes.csv");
    std::fs::write(&input, "id,text\n#7,first text\n#,second text\nx,third\n").unwrap();
    let decisions = "# a note\n#\n#\tanother\n#7,abusive\n#,conspiratorial\n";
    label_batch(&input, &dir.path().join("labels.csv"), &[], decisions)
        .success()
        .stdout(predicate::str::contains(
            "ok 4 #7,abusive\nok 5 #,conspiratorial\n",
        ));
    let log = read_log(dir.path());
    let decided: Vec<(&str, Vec<Option<bool>>)> = log
        .latest
        .iter()
        .map(|item| (item.decision.id.as_str(), item.decision.values.clone()))
        .collect();
    assert_eq!(
        decided,
        [
            ("#7", vec![Some(true), Some(false)]),
            ("#", vec![Some(false), Some(true)])
        ]
    );
}

#[test]
fn batch_mode_names_the_line_that_is_not_valid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("comments.csv");
    std::fs::write(&input, INPUT).unwrap();
    Command::cargo_bin("threadguard")
        .unwrap()
        .arg("label")
        .arg(&input)
        .arg("--out")
        .arg(dir.path().join("labels.csv"))
        .args(["--annotator", "ci", "--batch"])
        .write_stdin(b"a1,abusive\na2,\xff\n".to_vec())
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "threadguard: error: <stdin>:2: not valid UTF-8; the 1 rows before this line are saved\n",
        ));
    assert_eq!(read_log(dir.path()).rows_read, 1);
}

#[test]
fn batch_mode_labels_the_first_of_duplicated_ids() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dups.csv");
    std::fs::write(&input, "id,text\nx,first text\nx,second text\n").unwrap();
    label_batch(&input, &dir.path().join("labels.csv"), &[], "x,abusive\n")
        .success()
        .stderr(predicate::str::contains(
            "1 comment id appears more than once (x)",
        ));
    let log = read_log(dir.path());
    assert_eq!(log.rows_read, 1);
    assert_eq!(log.latest_for_annotator("ci")["x"].text, "first text");
}

#[test]
fn a_labels_file_in_a_missing_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("no-such-dir").join("labels.csv");
    batch_to(dir.path(), &labels, "a1,\n").failure().stderr(
        predicate::str::contains("does not exist").and(predicate::str::contains("at path").not()),
    );
}

#[test]
fn label_says_when_the_inputs_have_no_comments() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("article.txt");
    std::fs::write(&input, "A title\n\nAn article without a comment section.\n").unwrap();
    label_batch(&input, &dir.path().join("labels.csv"), &[], "")
        .success()
        .stderr(predicate::str::contains(
            "the inputs have no comments to label",
        ));
}

#[test]
fn batch_mode_on_a_full_disk_fails_clearly_and_keeps_every_acknowledged_row() {
    let Some(disk) = common::SmallDisk::mount(256) else {
        return;
    };
    let input = disk.path().join("comments.csv");
    std::fs::write(&input, INPUT).unwrap();
    let labels = disk.path().join("labels.csv");
    let run = |stdin: String| {
        Command::cargo_bin("threadguard")
            .unwrap()
            .arg("label")
            .arg(&input)
            .arg("--out")
            .arg(&labels)
            .args(["--annotator", "ci", "--batch"])
            .write_stdin(stdin)
            .output()
            .unwrap()
    };
    assert!(run("a1,abusive\n".to_string()).status.success());
    let before = std::fs::read(&labels).unwrap();
    disk.fill();
    // Enough decisions to use up whatever room the file's last page still has.
    let decisions: String = (0..2000)
        .map(|i| {
            format!(
                "{},{}\n",
                ["a2", "a3", "b1"][i % 3],
                ["abusive", "", "skip"][i % 3]
            )
        })
        .collect();
    let out = run(decisions);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("labels.csv"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("the row was not saved"), "{stderr}");
    let acks = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("ok "))
        .count();
    let after = std::fs::read(&labels).unwrap();
    assert!(after.starts_with(&before), "earlier rows changed");
    let log = LabelLog::read(&labels, &default_labels()).unwrap();
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    assert_eq!(
        log.rows_read,
        1 + acks,
        "every acknowledged row, and only those"
    );

    // A new labels file cannot even get its header: nothing is left behind.
    let files = disk.files();
    let out = Command::cargo_bin("threadguard")
        .unwrap()
        .arg("label")
        .arg(&input)
        .arg("--out")
        .arg(disk.path().join("new.csv"))
        .arg("--batch")
        .write_stdin("a1,\n")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No space left on device"));
    assert_eq!(disk.files(), files);
}

#[test]
fn a_labels_file_of_only_whitespace_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    std::fs::write(&labels, "  \n\t\n").unwrap();
    batch_to(dir.path(), &labels, "a1,abusive\n")
        .failure()
        .stderr(
            predicate::str::contains("labels.csv").and(predicate::str::contains("missing columns")),
        );
    assert_eq!(std::fs::read(&labels).unwrap(), b"  \n\t\n");
}
