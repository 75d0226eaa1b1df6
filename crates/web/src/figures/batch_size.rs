//! The batch-size comparison: the same network on the same data trained with a small and a large
//! batch, side by side, against epochs; with what an epoch costs each (updates, milliseconds) and
//! how noisy each training curve is.

use super::Figure;
use super::compare::{self, Compared, Core};
use crate::charts::Palette;
use crate::controls;
use crate::dom::{self, fmt};
use crate::error::Result;
use serde::Serialize;
use spiega_lessons::batch_size::{EPOCHS_PER_RECORD, SHOWN_EPOCHS};
use spiega_lessons::batch_size::{batch_size_setting, total_rise, updates_per_epoch};
use spiega_lessons::playground::PlaygroundConfig;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{Element, HtmlSelectElement};

struct BatchSizeFigure {
    core: Core,
    small: HtmlSelectElement,
    large: HtmlSelectElement,
    cost: Element,
}

/// Mounts the figure in `root`.
pub fn mount(root: &Element) -> Result<Rc<RefCell<dyn Figure>>> {
    let mut core = Core::new(root, EPOCHS_PER_RECORD, SHOWN_EPOCHS)?;
    core.epochs = true;
    let fig = BatchSizeFigure {
        core,
        small: dom::query(root, "select[data-role=\"small\"]")?,
        large: dom::query(root, "select[data-role=\"large\"]")?,
        cost: dom::query(root, "[data-role=\"cost\"]")?,
    };
    compare::mount(fig)
}

impl Compared for BatchSizeFigure {
    fn core(&mut self) -> &mut Core {
        &mut self.core
    }

    fn core_ref(&self) -> &Core {
        &self.core
    }

    fn runs(&self) -> Result<Vec<(String, PlaygroundConfig)>> {
        let small: usize = controls::chosen(&self.small)?;
        let large: usize = controls::chosen(&self.large)?;
        Ok(vec![
            (format!("batch {small}"), batch_size_setting(small)?),
            (format!("batch {large}"), batch_size_setting(large)?),
        ])
    }

    fn draw_more(&mut self, _palette: &Palette) -> Result<()> {
        let epochs = self.core.steps();
        let names = self.core.names().to_vec();
        let totals = self.core.epoch_ms.clone();
        let Some(c) = self.core.comparison() else {
            return Ok(());
        };
        let mut cost = Vec::new();
        for (i, run) in c.runs().iter().enumerate() {
            let per_epoch = updates_per_epoch(run);
            let rise = total_rise(run.history().iter().map(|s| s.train.loss));
            let ms = totals
                .get(i)
                .filter(|_| epochs > 0)
                .map(|t| t / epochs as f64);
            let texts = [
                names.get(i).cloned().unwrap_or_default(),
                per_epoch.to_string(),
                ms.map_or("–".into(), |m| fmt(m, 2)),
                fmt(f64::from(rise), 3),
            ];
            dom::write_row(&self.cost, i, &texts)?;
            cost.push(CostState {
                updates_per_epoch: per_epoch,
                epoch_ms: ms,
                rise,
            });
        }
        self.core.publish(&BatchSizeState { cost })?;
        Ok(())
    }
}

/// What the figure adds to the comparison's state: each run's cost per epoch.
#[derive(Serialize)]
struct BatchSizeState {
    cost: Vec<CostState>,
}

/// One run's updates per epoch, milliseconds per epoch (none before the first epoch) and the
/// total rise of its training loss (how noisy its curve is).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CostState {
    updates_per_epoch: u64,
    epoch_ms: Option<f64>,
    rise: f32,
}
