//! Play and pause for every figure that trains in the page: the playground, bias and variance,
//! weight penalties, the GAN, the transformer, augmentation, normalization, the optimizer race,
//! and the comparisons (dropout, batch normalization, batch size) through the comparison
//! core.
//!
//! A figure says what one animation frame of training is ([`Trains::train_frame`]) and how it
//! shows that it plays; [`toggle`] starts and pauses it, and the frame loop it makes on first use
//! does the rest: nothing runs while the figure is paused, a figure that leaves the screen pauses
//! and says so ([`crate::frame::LEFT_THE_SCREEN`], the rule every training figure follows), and an
//! error pauses it with the figure's own message. [`warm_up_on_first_sight`] has the figure train
//! a few frames the first time it comes on screen, so it never shows empty charts.
//!
//! **The frame budget.** Every playing figure shares one budget of main-thread time per
//! animation frame ([`FrameBudget`]): the runtime measures how long each figure's frame of
//! training and drawing takes and how far apart animation frames come, shrinks the budget while
//! frames come late and grows it while they come on time, and gives each playing figure an equal
//! share of it. A figure whose frame costs more than its share waits, drawing nothing, until it
//! has saved enough share for one frame ([`take_turn`]). What a figure's frame does never
//! changes, only how often it comes: so the run (its updates, its recorded curves, every loss a
//! link replays) is the same on any machine, and only its speed follows the machine.

use crate::dom;
use crate::error::{Result, WebError};
use crate::frame::FrameLoop;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use web_sys::Element;

/// What every training figure keeps to play and pause: whether it plays, its play button and
/// its frame loop (made on first play).
pub struct Playback {
    root: Element,
    button: Element,
    /// The figure's line for notes (`[data-role=message]`).
    message: Element,
    playing: bool,
    frames: Option<FrameLoop>,
    /// The figure's turn in the frame budget: what its frames cost, and its saved share.
    turn: Turn,
}

impl Playback {
    /// Paused, for the figure `root` whose play button is `button` and whose line for notes is
    /// its `[data-role=message]`.
    pub fn new(root: &Element, button: &Element) -> Result<Self> {
        Ok(Self {
            root: root.clone(),
            button: button.clone(),
            message: dom::query(root, "[data-role=\"message\"]")?,
            playing: false,
            frames: None,
            turn: Turn::default(),
        })
    }

    /// Shows `text` on the figure's line for notes.
    fn note(&self, text: &str) {
        dom::set_text(&self.message, text);
        dom::set_hidden(&self.message, false).ok();
    }

    /// Whether the figure is playing.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Records whether it plays, shows it on the button (`label`, and `aria-pressed`), and
    /// stops the frame loop when it pauses.
    fn show(&mut self, playing: bool, label: &str) {
        self.playing = playing;
        if !playing && let Some(frames) = &self.frames {
            frames.stop();
        }
        dom::set_text(&self.button, label);
        self.button
            .set_attribute("aria-pressed", if playing { "true" } else { "false" })
            .ok();
    }
}

/// The play button's text while paused for a figure that trains `limit` updates: "Train again"
/// after the last, "Resume" part-way, and `idle` before the first.
pub fn paused_label(steps: u64, limit: u64, idle: &'static str) -> &'static str {
    if steps >= limit {
        "Train again"
    } else if steps > 0 {
        "Resume"
    } else {
        idle
    }
}

/// How many of `per_frame` updates a frame may still do when `steps` of `limit` are done.
pub fn updates_left(steps: u64, limit: u64, per_frame: u32) -> u32 {
    per_frame.min(u32::try_from(limit.saturating_sub(steps)).unwrap_or(u32::MAX))
}

/// The main-thread milliseconds of training and drawing that every playing figure shares in
/// one animation frame, adapted to how far apart frames come.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FrameBudget {
    ms: f64,
}

impl FrameBudget {
    /// The frame interval aimed at: 60 frames a second.
    pub const TARGET_FRAME_MS: f64 = 1000.0 / 60.0;
    /// The least budget: even on a slow machine every playing figure goes on training.
    pub const MIN_MS: f64 = 3.0;
    /// The most: the rest of a frame is the browser's, to lay out and paint.
    pub const MAX_MS: f64 = 10.0;
    /// A gap between frames longer than this is a pause (a hidden tab, a reader's action), not a
    /// slow frame, and is not adapted to.
    pub const PAUSE_MS: f64 = 250.0;

    /// The budget when play starts: the most.
    pub fn new() -> Self {
        Self { ms: Self::MAX_MS }
    }

    /// The milliseconds per frame, shared by all playing figures.
    pub fn ms(&self) -> f64 {
        self.ms
    }

    /// Adapts to the time since the previous animation frame, `frame_ms`: a frame later than a
    /// fifth over [`Self::TARGET_FRAME_MS`] shrinks the budget by a fifth, one on time grows it
    /// by a tenth, within [`Self::MIN_MS`] and [`Self::MAX_MS`].
    pub fn adapt(&mut self, frame_ms: f64) {
        if !(frame_ms > 0.0 && frame_ms < Self::PAUSE_MS) {
            return;
        }
        if frame_ms > 1.2 * Self::TARGET_FRAME_MS {
            self.ms *= 0.8;
        } else if frame_ms < 1.1 * Self::TARGET_FRAME_MS {
            self.ms *= 1.1;
        }
        self.ms = self.ms.clamp(Self::MIN_MS, Self::MAX_MS);
    }

    /// Each of `playing` figures' equal share, in milliseconds (the shares sum to the budget).
    pub fn share(&self, playing: usize) -> f64 {
        self.ms / playing.max(1) as f64
    }
}

impl Default for FrameBudget {
    fn default() -> Self {
        Self::new()
    }
}

/// One figure's place in the frame budget.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Turn {
    /// What the figure's frames cost, ms (a moving average; 0 before the first).
    pub cost_ms: f64,
    /// Share saved towards the next frame, ms.
    pub saved_ms: f64,
}

impl Turn {
    /// Records that a frame of the figure took `ms`.
    pub fn measured(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.cost_ms = if self.cost_ms == 0.0 {
                ms
            } else {
                0.7 * self.cost_ms + 0.3 * ms
            };
        }
    }
}

/// Whether a figure plays its frame in this animation frame, given its `share` of the budget
/// (ms): it adds the share to what it saved (never saving more than one frame's cost or one
/// share), and plays when that covers its frame's cost, which it then spends. A figure whose
/// frames cost no more than its share plays every frame; a dearer one every few frames, so that
/// over time it spends no more than its share.
pub fn take_turn(turn: &mut Turn, share: f64) -> bool {
    turn.saved_ms = (turn.saved_ms + share).min(share.max(turn.cost_ms));
    if turn.saved_ms >= turn.cost_ms {
        turn.saved_ms -= turn.cost_ms;
        true
    } else {
        false
    }
}

/// The page's one frame budget and who shared it: the time stamp of the animation frame being
/// run (none before the first), how many figures played in it and in the frame before.
struct Schedule {
    budget: FrameBudget,
    frame_at: Option<f64>,
    playing_now: usize,
    playing_before: usize,
}

thread_local! {
    static SCHEDULE: RefCell<Schedule> = RefCell::new(Schedule {
        budget: FrameBudget::new(),
        frame_at: None,
        playing_now: 0,
        playing_before: 0,
    });
}

/// A playing figure's share of the budget in the animation frame stamped `now` (ms): the first
/// figure to run in a new frame adapts the budget to the time since the previous one.
fn share_at(now: f64) -> f64 {
    SCHEDULE.with(|s| {
        let mut s = s.borrow_mut();
        if s.frame_at != Some(now) {
            if let Some(before) = s.frame_at {
                s.budget.adapt(now - before);
            }
            s.frame_at = Some(now);
            s.playing_before = s.playing_now;
            s.playing_now = 0;
        }
        s.playing_now += 1;
        s.budget.share(s.playing_before.max(s.playing_now))
    })
}

/// A figure that trains frame by frame while the reader has it playing.
pub trait Trains: 'static {
    /// The figure's play state.
    fn playback(&mut self) -> &mut Playback;
    /// Whether there is anything to train (a figure may refuse to play, for example after its
    /// run diverged).
    fn can_play(&self) -> bool {
        true
    }
    /// Whether the run is over and Play has nothing left to do (asked after
    /// [`Trains::before_play`], which may start it again). Unlike a figure that cannot play, a
    /// finished one still draws the frame that finished it.
    fn finished(&self) -> bool {
        false
    }
    /// The play button's text while paused.
    fn paused_label(&self) -> &'static str {
        "Play"
    }
    /// Runs when the reader presses play on a paused figure, before it plays: for example,
    /// starting again from untrained networks after the last update.
    fn before_play(&mut self) -> Result<()> {
        Ok(())
    }
    /// One frame's bounded training, without drawing; returns whether to go on.
    fn advance_frame(&mut self) -> Result<bool>;
    /// The updates (or rounds) trained so far.
    fn steps(&self) -> u64;
    /// One frame's bounded training and the redraw that shows it; returns whether to go on.
    /// A figure that can no longer play (its run diverged) keeps its last good picture.
    fn train_frame(&mut self) -> Result<bool> {
        let go_on = self.advance_frame()?;
        if self.can_play() {
            self.redraw()?;
        }
        Ok(go_on)
    }
    /// [`Trains::train_frame`] for the animation frame stamped `now_ms` (the
    /// `requestAnimationFrame` time, in milliseconds), for a figure that measures or budgets its
    /// updates by the clock (the playground's samples per second); the others ignore it.
    fn train_frame_at(&mut self, now_ms: f64) -> Result<bool> {
        let _ = now_ms;
        self.train_frame()
    }
    /// Redraws everything (after a pause).
    fn redraw(&mut self) -> Result<()>;
    /// Shows `e` as a message in the figure and pauses.
    fn report(&mut self, e: &WebError);

    /// Plays or pauses (playing only if [`Trains::can_play`] and not [`Trains::finished`]) and
    /// shows which on the button.
    fn set_playing(&mut self, playing: bool) {
        let playing = playing && self.can_play() && !self.finished();
        let label = if playing {
            "Pause"
        } else {
            self.paused_label()
        };
        self.playback().show(playing, label);
    }
}

/// Plays a paused figure or pauses a playing one.
pub fn toggle<F: Trains>(fig: &Rc<RefCell<F>>) {
    let start = {
        let Ok(mut f) = fig.try_borrow_mut() else {
            return;
        };
        if f.playback().playing() {
            f.set_playing(false);
            if let Err(e) = f.redraw() {
                f.report(&e);
            }
            false
        } else if let Err(e) = f.before_play() {
            f.report(&e);
            false
        } else {
            f.set_playing(true);
            let playing = f.playback().playing();
            if playing {
                crate::frame::clear_left_the_screen(&f.playback().message);
            }
            playing
        }
    };
    if !start {
        return;
    }
    let frames = frame_loop(fig);
    if let Err(e) = frames.start()
        && let Ok(mut f) = fig.try_borrow_mut()
    {
        f.report(&e);
    }
}

/// Binds the figure's keys ([`dom::on_keys`]): Space plays or pauses it ([`toggle`]), and any
/// other key goes to `more`, which returns whether it used it.
pub fn on_keys<F: Trains>(
    fig: &Rc<RefCell<F>>,
    mut more: impl FnMut(&str) -> bool + 'static,
) -> Result<()> {
    let root = fig.borrow_mut().playback().root.clone();
    let f = Rc::clone(fig);
    dom::on_keys(&root, move |key| {
        if key == " " {
            toggle(&f);
            true
        } else {
            more(key)
        }
    })
}

/// Has the figure warm up the first time it comes on screen ([`crate::frame::on_first_sight`]):
/// if the reader has not trained it yet, it trains a few frames in one go
/// ([`crate::frame::warm_up`]) and is drawn once, paused, with Play going on from there.
pub fn warm_up_on_first_sight<F: Trains>(fig: &Rc<RefCell<F>>) -> Result<()> {
    let root = fig.borrow_mut().playback().root.clone();
    let weak = Rc::downgrade(fig);
    crate::frame::on_first_sight(&root, move || {
        let Some(fig) = weak.upgrade() else {
            return true;
        };
        let Ok(mut f) = fig.try_borrow_mut() else {
            return false;
        };
        if f.playback().playing() || f.steps() > 0 || !f.can_play() || f.finished() {
            return true;
        }
        let result = crate::frame::warm_up(|| f.advance_frame().map(|_| ()));
        // The button reads its paused label for the trained state.
        f.set_playing(false);
        let drawn = result.and_then(|()| if f.can_play() { f.redraw() } else { Ok(()) });
        if let Err(e) = drawn {
            f.report(&e);
        }
        true
    })
}

/// The figure's frame loop, made on first use.
fn frame_loop<F: Trains>(fig: &Rc<RefCell<F>>) -> FrameLoop {
    if let Some(frames) = fig.borrow_mut().playback().frames.clone() {
        return frames;
    }
    let weak = Rc::downgrade(fig);
    let frames = FrameLoop::new(move |now| tick(&weak, now));
    fig.borrow_mut().playback().frames = Some(frames.clone());
    frames
}

/// One animation frame, stamped `now` (ms); returns whether to ask for another.
fn tick<F: Trains>(weak: &Weak<RefCell<F>>, now: f64) -> bool {
    let Some(fig) = weak.upgrade() else {
        return false;
    };
    let Ok(mut f) = fig.try_borrow_mut() else {
        // Busy with a reader's action this frame: try again next frame.
        return true;
    };
    if !f.playback().playing() {
        return false;
    }
    if crate::frame::left_the_screen(&f.playback().root) {
        f.set_playing(false);
        f.playback().note(crate::frame::LEFT_THE_SCREEN);
        return false;
    }
    let share = share_at(now);
    if !take_turn(&mut f.playback().turn, share) {
        return true;
    }
    let t0 = dom::now();
    let result = f.train_frame_at(now);
    f.playback().turn.measured(dom::now() - t0);
    match result {
        Ok(go_on) => go_on && f.playback().playing(),
        Err(e) => {
            f.report(&e);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `frames` animation frames `frame_ms` apart for figures whose frames cost `costs`
    /// (ms), as the runtime does; returns how many frames each played and the most milliseconds
    /// spent in any one frame after the first.
    fn run(budget: &mut FrameBudget, frame_ms: f64, costs: &[f64], frames: usize) -> Vec<u32> {
        let mut turns: Vec<Turn> = costs.iter().map(|_| Turn::default()).collect();
        let mut played = vec![0; costs.len()];
        for _ in 0..frames {
            budget.adapt(frame_ms);
            let share = budget.share(costs.len());
            for ((turn, cost), n) in turns.iter_mut().zip(costs).zip(&mut played) {
                if take_turn(turn, share) {
                    turn.measured(*cost);
                    *n += 1;
                }
            }
        }
        played
    }

    #[test]
    fn shares_sum_to_the_budget() {
        let budget = FrameBudget::new();
        for playing in 1..=11 {
            let total = budget.share(playing) * playing as f64;
            assert!(
                (total - budget.ms()).abs() < 1e-9,
                "{playing} figures share {total} ms"
            );
        }
        assert_eq!(budget.share(0), budget.ms());
    }

    #[test]
    fn figures_within_their_share_play_every_frame() {
        let mut budget = FrameBudget::new();
        let played = run(&mut budget, 16.0, &[1.0, 2.0, 3.0], 100);
        assert_eq!(played, vec![100, 100, 100]);
    }

    #[test]
    fn dear_figures_play_less_often_but_every_one_plays_and_the_budget_holds() {
        let mut budget = FrameBudget::new();
        let costs = [1.0, 6.0, 30.0];
        let frames = 600;
        let played = run(&mut budget, 16.0, &costs, frames);
        // Each figure plays, the cheap one every frame, the dearest seldom but steadily.
        assert_eq!(played[0], frames as u32);
        assert!(played.iter().all(|&n| n >= 1), "{played:?}");
        assert!(played[2] < played[1] && played[1] < played[0], "{played:?}");
        // The dearest plays about as often as its share allows: share / cost of the frames.
        let share = budget.share(costs.len());
        let expected = frames as f64 * share / costs[2];
        assert!(
            (f64::from(played[2]) - expected).abs() <= expected * 0.1 + 2.0,
            "{played:?}, expected about {expected}"
        );
        // Over the run, each figure dearer than its share spent no more than its share of every
        // frame, plus the one frame it started with.
        for (n, cost) in played.iter().zip(costs).filter(|(_, c)| *c > share) {
            let spent = f64::from(*n) * cost;
            assert!(
                spent <= frames as f64 * share + cost,
                "{spent} ms over {frames} frames"
            );
        }
    }

    #[test]
    fn the_budget_shrinks_while_frames_are_late_and_grows_while_they_are_on_time() {
        let mut budget = FrameBudget::new();
        let played_fast = run(&mut budget, 16.0, &[9.0], 50);
        assert_eq!(budget.ms(), FrameBudget::MAX_MS);
        assert_eq!(played_fast[0], 50);
        // Late frames: the budget falls to its least, and a 9 ms figure plays one frame in three.
        let played_slow = run(&mut budget, 40.0, &[9.0], 300);
        assert_eq!(budget.ms(), FrameBudget::MIN_MS);
        assert!(
            (90..=110).contains(&played_slow[0]),
            "{played_slow:?} frames of 300"
        );
        // On time again: back up.
        run(&mut budget, 15.0, &[9.0], 50);
        assert_eq!(budget.ms(), FrameBudget::MAX_MS);
        // A pause is not a late frame.
        let mut paused = FrameBudget::new();
        paused.adapt(5000.0);
        paused.adapt(f64::NAN);
        assert_eq!(paused.ms(), FrameBudget::MAX_MS);
    }
}
