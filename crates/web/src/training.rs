//! Play and pause for the figures that train in the page (bias and variance, weight penalties,
//! the GAN and the transformer; the comparison figures have their own core in
//! [`crate::figures::compare`]).
//!
//! A figure says what one animation frame of training is ([`Trains::train_frame`]) and how it
//! shows that it plays; [`toggle`] starts and pauses it, and the frame loop it makes on first use
//! does the rest: nothing runs while the figure is paused, no work is done while it is scrolled
//! out of view (it stays playing and resumes when it is back), and an error pauses it with the
//! figure's own message.

use crate::dom;
use crate::error::{Result, WebError};
use crate::frame::FrameLoop;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use web_sys::Element;

/// A figure that trains frame by frame while the reader has it playing.
pub trait Trains: 'static {
    /// The figure's element: training does no work while it is off screen.
    fn root(&self) -> &Element;
    /// Whether the reader has it playing.
    fn playing(&self) -> bool;
    /// Records and shows (on the play button) whether it plays, and stops the frame loop when
    /// it pauses. A figure may refuse to play (for example with nothing to train), so callers
    /// read [`Trains::playing`] back.
    fn set_playing(&mut self, playing: bool);
    /// Runs when the reader presses play on a paused figure, before it plays: for example,
    /// starting again from untrained networks after the last update.
    fn before_play(&mut self) -> Result<()> {
        Ok(())
    }
    /// One frame's bounded training and the redraw that shows it; returns whether to go on.
    fn train_frame(&mut self) -> Result<bool>;
    /// Redraws everything (after a pause).
    fn redraw(&mut self) -> Result<()>;
    /// Shows `e` as a message in the figure and pauses.
    fn report(&mut self, e: &WebError);
    /// Where the figure keeps its frame loop once [`toggle`] has made it.
    fn frames(&mut self) -> &mut Option<FrameLoop>;
}

/// Plays a paused figure or pauses a playing one.
pub fn toggle<F: Trains>(fig: &Rc<RefCell<F>>) {
    let start = {
        let Ok(mut f) = fig.try_borrow_mut() else {
            return;
        };
        if f.playing() {
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
            f.playing()
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

/// The figure's frame loop, made on first use.
fn frame_loop<F: Trains>(fig: &Rc<RefCell<F>>) -> FrameLoop {
    if let Some(frames) = fig.borrow_mut().frames().clone() {
        return frames;
    }
    let weak = Rc::downgrade(fig);
    let frames = FrameLoop::new(move |_| tick(&weak));
    *fig.borrow_mut().frames() = Some(frames.clone());
    frames
}

/// One animation frame; returns whether to ask for another.
fn tick<F: Trains>(weak: &Weak<RefCell<F>>) -> bool {
    let Some(fig) = weak.upgrade() else {
        return false;
    };
    let Ok(mut f) = fig.try_borrow_mut() else {
        // Busy with a reader's action this frame: try again next frame.
        return true;
    };
    if !f.playing() {
        return false;
    }
    // Scrolled out of view: keep playing, but do no work until it is back.
    if !dom::in_view(f.root()) {
        return true;
    }
    match f.train_frame() {
        Ok(go_on) => go_on && f.playing(),
        Err(e) => {
            f.report(&e);
            false
        }
    }
}
