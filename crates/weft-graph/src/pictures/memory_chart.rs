//! The transient-memory chart: per memory block, batches left to right and byte offsets top
//! to bottom, one rectangle per transient over its lifetime and its bytes. Rectangles that
//! share rows at different batches are memory the placement reuses.

use crate::error::GraphError;
use crate::graph::TaskGraph;
use crate::plan::Plan;

use super::{color, Svg};

const LEFT: f64 = 90.0;
const BATCH: f64 = 48.0;
const PANEL: f64 = 260.0;
const HEAD: f64 = 40.0;

impl Plan {
    /// The transient-memory chart as SVG (see the module doc); a picture that says so when
    /// the plan's transients are not placed. An error when `graph` is not this plan's.
    pub fn memory_svg<C>(&self, graph: &TaskGraph<C>) -> Result<String, GraphError> {
        self.check_graph(graph)?;
        let batches = self.batch_count().max(1) as f64;
        let width = LEFT + batches * BATCH + 20.0;
        if !self.is_placed() {
            let mut svg = Svg::new(width.max(640.0), 60.0);
            svg.text(
                10.0,
                30.0,
                14.0,
                "start",
                "no transient memory placed in this plan",
            );
            return Ok(svg.finish());
        }
        let blocks = self.memory_blocks();
        let stats = self.stats();
        let height = HEAD + blocks.len() as f64 * (PANEL + HEAD) + 10.0;
        let mut svg = Svg::new(width.max(640.0), height);
        svg.text(
            10.0,
            18.0,
            14.0,
            "start",
            &format!(
                "transient memory: {} bytes in {} blocks, lower bound {} bytes",
                stats.transient_bytes,
                blocks.len(),
                stats.transient_lower_bound_bytes
            ),
        );
        for (i, block) in blocks.iter().enumerate() {
            let top = HEAD + i as f64 * (PANEL + HEAD);
            svg.text(
                10.0,
                top - 6.0,
                11.0,
                "start",
                &format!("block {i}: {} bytes", block.size),
            );
            svg.rect(
                LEFT,
                top,
                batches * BATCH,
                PANEL,
                "#f4f4f4",
                &format!("block {i}"),
            );
            svg.text(LEFT - 4.0, top + 10.0, 9.0, "end", "0");
            svg.text(LEFT - 4.0, top + PANEL, 9.0, "end", &block.size.to_string());
            for b in 0..self.batch_count() {
                let x = LEFT + b as f64 * BATCH;
                svg.text(
                    x + BATCH / 2.0,
                    top + PANEL + 12.0,
                    9.0,
                    "middle",
                    &b.to_string(),
                );
            }
            let scale = PANEL / block.size.max(1) as f64;
            for p in self
                .transient_placements()
                .iter()
                .filter(|p| p.block == i as u32)
            {
                let name = graph
                    .resources()
                    .get(p.resource as usize)
                    .map_or("?", |r| r.name.as_str());
                let x = LEFT + f64::from(p.first_batch) * BATCH;
                let w = f64::from(p.last_batch - p.first_batch + 1) * BATCH;
                let y = top + p.offset as f64 * scale;
                let h = (p.size as f64 * scale).max(1.0);
                svg.rect(
                    x,
                    y,
                    w,
                    h,
                    &color(p.resource),
                    &format!(
                        "{name}: bytes {}..{}, batches {}..={}",
                        p.offset,
                        p.offset + p.size,
                        p.first_batch,
                        p.last_batch
                    ),
                );
                if h >= 10.0 {
                    svg.clipped_text((x, y, w, h.min(14.0)), 9.0, name);
                }
            }
        }
        Ok(svg.finish())
    }
}
