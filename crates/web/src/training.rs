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
    match f.train_frame_at(now) {
        Ok(go_on) => go_on && f.playback().playing(),
        Err(e) => {
            f.report(&e);
            false
        }
    }
}
