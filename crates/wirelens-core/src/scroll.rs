//! A long list of equal lines drawn a window at a time: which lines a view scrolled to a given
//! place shows, how tall the list is made, and where to scroll to show a line. The hex view's rows
//! and the field tree's records use it. Knows nothing about HTML: lines and pixels only.
//!
//! Browsers lay out at most about 17.9 million pixels in one element (Firefox; Chromium 33.5
//! million): 16 MiB of hex at 16 bytes a row is 25 million pixels of 24-pixel rows. A list taller
//! than [`MAX_HEIGHT`] is squeezed into it: the fraction scrolled picks the line at the top, and
//! the lines drawn sit where the view is.

/// The tallest a list is made, in pixels: under every browser's limit.
pub const MAX_HEIGHT: f64 = 15_000_000.0;

/// `count` lines of `line` pixels, seen `view` lines at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scroller {
    pub count: usize,
    pub line: f64,
    pub view: usize,
}

/// The lines to draw, `first..last`, and the empty space before and after them, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub first: usize,
    pub last: usize,
    pub before: f64,
    pub after: f64,
}

impl Scroller {
    /// The list's height: its lines', or [`MAX_HEIGHT`] when they would be taller.
    pub fn height(&self) -> f64 {
        (self.count as f64 * self.line).min(MAX_HEIGHT)
    }

    fn squeezed(&self) -> bool {
        self.count as f64 * self.line > MAX_HEIGHT
    }

    /// How far the view can scroll, in pixels.
    fn room(&self) -> f64 {
        (self.height() - self.view as f64 * self.line).max(0.0)
    }

    /// The line at the top of a view scrolled to `scroll_top`.
    pub fn line_at(&self, scroll_top: f64) -> usize {
        let scroll_top = scroll_top.clamp(0.0, self.room());
        let top = if self.squeezed() {
            (scroll_top / self.room() * self.count.saturating_sub(self.view) as f64).round() as usize
        } else {
            (scroll_top / self.line) as usize
        };
        top.min(self.count.saturating_sub(1))
    }

    /// Where to scroll so that `line` is at the top of the view (as near as the list allows).
    pub fn scroll_to(&self, line: usize) -> f64 {
        let line = line.min(self.count.saturating_sub(self.view));
        if self.squeezed() {
            line as f64 / self.count.saturating_sub(self.view) as f64 * self.room()
        } else {
            line as f64 * self.line
        }
    }

    /// The lines a view scrolled to `scroll_top` shows, with `overscan` more on each side.
    pub fn window(&self, scroll_top: f64, overscan: usize) -> Window {
        if self.count == 0 {
            return Window { first: 0, last: 0, before: 0.0, after: 0.0 };
        }
        let top = self.line_at(scroll_top);
        let first = top.saturating_sub(overscan);
        let last = (top + self.view + overscan).min(self.count);
        let drawn = (last - first) as f64 * self.line;
        let before = if self.squeezed() {
            // The line at the top sits at the top of the view.
            (scroll_top.clamp(0.0, self.room()) - (top - first) as f64 * self.line).max(0.0)
        } else {
            first as f64 * self.line
        };
        Window { first, last, before, after: (self.height() - before - drawn).max(0.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_list_is_as_tall_as_its_lines_and_scrolls_line_by_line() {
        let s = Scroller { count: 1000, line: 24.0, view: 20 };
        assert_eq!(s.height(), 24_000.0);
        assert_eq!(s.window(0.0, 6), Window { first: 0, last: 26, before: 0.0, after: 974.0 * 24.0 });
        let w = s.window(2400.0, 6);
        assert_eq!((w.first, w.last, w.before), (94, 126, 94.0 * 24.0));
        assert_eq!(w.before + (w.last - w.first) as f64 * 24.0 + w.after, s.height());
        assert_eq!((s.line_at(2400.0), s.scroll_to(100)), (100, 2400.0));
        // The end: the last line is drawn.
        assert_eq!(s.window(s.height(), 6).last, 1000);
        assert_eq!(Scroller { count: 0, ..s }.window(100.0, 6), Window { first: 0, last: 0, before: 0.0, after: 0.0 });
    }

    #[test]
    fn a_list_taller_than_a_browser_lays_out_is_squeezed_and_still_reaches_every_line() {
        // 16 MiB of hex, 16 bytes a row.
        let s = Scroller { count: 1 << 20, line: 24.0, view: 20 };
        assert_eq!(s.height(), MAX_HEIGHT);
        let mut last_top = 0;
        for step in 0..=1000 {
            let scroll_top = s.height() * step as f64 / 1000.0;
            let w = s.window(scroll_top, 6);
            let top = s.line_at(scroll_top);
            assert!(top >= last_top, "moves forward as the view scrolls");
            last_top = top;
            // The top line is drawn where the view is, and the list keeps its height.
            assert!((w.first..w.last).contains(&top));
            let top_px = w.before + (top - w.first) as f64 * s.line;
            assert!((top_px - scroll_top.min(s.room())).abs() < 1e-6, "{step}: {top_px} {scroll_top}");
            assert!((w.before + (w.last - w.first) as f64 * s.line + w.after - s.height()).abs() < 1e-6);
        }
        assert_eq!((s.line_at(0.0), s.window(s.height(), 6).last), (0, 1 << 20));
        // Scrolling to a line shows it at the top.
        for line in [0, 1, 12_345, 500_000, (1 << 20) - 20] {
            assert_eq!(s.line_at(s.scroll_to(line)), line);
        }
    }
}
