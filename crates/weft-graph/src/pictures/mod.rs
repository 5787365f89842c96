//! Pictures of a plan, drawn as SVG by weft itself: the batch timeline
//! ([`crate::Plan::timeline_svg`]) and the transient-memory chart
//! ([`crate::Plan::memory_svg`]). This file holds the small SVG writer both use.

use std::fmt::Write;

mod memory_chart;
mod timeline;

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
    clips: u32,
}

impl Svg {
    /// A `width` × `height` picture on a white background.
    pub fn new(width: f64, height: f64) -> Self {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored in this file for that
        // reason.
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"sans-serif\">"
        );
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"0\" width=\"{width:.0}\" height=\"{height:.0}\" fill=\"white\"/>"
        );
        Self { out, clips: 0 }
    }

    /// A filled rectangle with a tooltip.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tooltip: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"0.5\"><title>{}</title></rect>",
            escape(tooltip)
        );
    }

    /// Text at (`x`, `y`) (its baseline), `anchor` `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, text: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size:.0}\" text-anchor=\"{anchor}\">{}</text>",
            escape(text)
        );
    }

    /// Text clipped to the rectangle (`x`, `y`, `w`, `h`), starting at its left edge.
    pub fn clipped_text(&mut self, (x, y, w, h): (f64, f64, f64, f64), size: f64, text: &str) {
        self.clips += 1;
        let id = self.clips;
        let _ = writeln!(
            self.out,
            "<clipPath id=\"c{id}\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"/></clipPath>"
        );
        let _ = writeln!(
            self.out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size:.0}\" clip-path=\"url(#c{id})\">{}</text>",
            x + 2.0,
            y + h / 2.0 + size / 3.0,
            escape(text)
        );
    }

    /// A line.
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{stroke}\" stroke-width=\"1\"/>"
        );
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A fill colour for item `i`, spread over the hue circle.
pub(crate) fn color(i: u32) -> String {
    // The golden angle keeps neighbours apart.
    let hue = (f64::from(i) * 137.508) % 360.0;
    format!("hsl({hue:.0},55%,72%)")
}

/// `s` with XML's special characters escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
