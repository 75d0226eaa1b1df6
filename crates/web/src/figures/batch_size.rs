//! The batch-size comparison: the same network on the same data trained with a small and a large
//! batch, side by side, against epochs; with what an epoch costs each (updates, milliseconds) and
//! how noisy each training curve is.

use super::Figure;
use super::compare::{self, Compared, Core};
use crate::charts::Palette;
use crate::dom::{self, fmt};
use crate::error::Result;
use spiega_lessons::batch_size::{
    EPOCHS_PER_RECORD, SHOWN_EPOCHS, batch_size_setting, total_rise, updates_per_epoch,
};
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

/// A menu's batch size (`fallback` when it holds anything else).
fn batch(select: &HtmlSelectElement, fallback: usize) -> usize {
    select
        .value()
        .parse::<usize>()
        .ok()
        .filter(|b| (1..=200).contains(b))
        .unwrap_or(fallback)
}

impl Compared for BatchSizeFigure {
    fn core(&mut self) -> &mut Core {
        &mut self.core
    }

    fn runs(&self) -> Result<Vec<(String, PlaygroundConfig)>> {
        let small = batch(&self.small, 2);
        let large = batch(&self.large, 100);
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
        let mut json = Vec::new();
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
            json.push(format!(
                "{{\"updatesPerEpoch\":{per_epoch},\"epochMs\":{},\"rise\":{rise:?}}}",
                ms.map_or("null".into(), |m| format!("{m:?}"))
            ));
        }
        if let Some(state) = self.core.root().get_attribute("data-state")
            && let Some(head) = state.strip_suffix('}')
        {
            self.core.root().set_attribute(
                "data-state",
                &format!("{head},\"cost\":[{}]}}", json.join(",")),
            )?;
        }
        Ok(())
    }
}
