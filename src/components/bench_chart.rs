//! The benchmark's charts, drawn as SVG: bars of the median time per codec for one workload
//! (encode and decode), and log-log lines of time and size against the number of users. Colours
//! come from the theme's custom properties (`.series-*` in style.css); encode lines are dashed,
//! and every bar and line carries its name in text, so colour never carries meaning alone.

use std::rc::Rc;

use wirelens_core::bench_report::{CodecId, Direction, Report, Sizes, duration, thousands};
use yew::prelude::*;

const WIDTH: f64 = 640.0;

/// The CSS class of a codec's colour.
pub fn series_class(codec: CodecId) -> &'static str {
    match codec {
        CodecId::Prost => "series-prost",
        CodecId::ProstReflect => "series-reflect",
        CodecId::SerdeJson => "series-serde",
        CodecId::BrowserJson => "series-browser",
    }
}

#[derive(Properties, PartialEq)]
pub struct BarsProps {
    pub report: Rc<Report>,
    pub workload: String,
}

/// Horizontal bars of ns/op, one group per direction, on one linear scale.
#[component]
pub fn BarChart(props: &BarsProps) -> Html {
    let (label_w, row_h, gap) = (170.0, 20.0, 26.0);
    let rows: Vec<(Direction, CodecId, f64)> = Direction::BOTH
        .into_iter()
        .flat_map(|d| props.report.codecs().into_iter().map(move |c| (d, c)))
        .filter_map(|(d, c)| props.report.row(&props.workload, c, d).map(|r| (d, c, r.stat.median_ns)))
        .collect();
    let max = rows.iter().map(|r| r.2).fold(0.0, f64::max);
    if rows.is_empty() || max <= 0.0 {
        return html! {};
    }
    let bar_w = WIDTH - label_w - 80.0;
    let mut y = 0.0;
    let mut last = None;
    let mut items = Vec::new();
    for (d, c, ns) in &rows {
        if last != Some(*d) {
            y += if last.is_some() { gap } else { 16.0 };
            items.push(html! { <text class="chart-heading" x="0" y={(y - 4.0).to_string()}>{ d.label() }</text> });
            last = Some(*d);
        }
        let w = (ns / max * bar_w).max(1.0);
        items.push(html! {
            <g class={classes!("bar-row", series_class(*c))}>
                <text class="chart-label" x={(label_w - 8.0).to_string()} y={(y + 14.0).to_string()} text-anchor="end">{ c.name() }</text>
                <rect x={label_w.to_string()} y={(y + 3.0).to_string()} width={format!("{w:.1}")} height="14" rx="2">
                    <title>{ format!("{} {}: {} per message", c.name(), d.label(), duration(*ns)) }</title>
                </rect>
                <text class="chart-value" x={format!("{:.1}", label_w + w + 6.0)} y={(y + 14.0).to_string()}>{ duration(*ns) }</text>
            </g>
        });
        y += row_h;
    }
    html! {
        <figure class="chart">
            <svg role="img" aria-label={format!("time per message for {}, by codec", props.workload)}
                viewBox={format!("0 0 {WIDTH} {}", y + 6.0)} width={WIDTH.to_string()}>
                { for items }
            </svg>
            <figcaption class="muted">{ format!("Median time per message, {}: shorter is faster.", props.workload) }</figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct GrowthProps {
    pub report: Rc<Report>,
}

/// One line of a log-log chart: a name, its class, dashed or not, and its points.
struct Line {
    name: String,
    class: &'static str,
    dashed: bool,
    points: Vec<(f64, f64)>,
}

/// Time and size against the number of users, both axes logarithmic.
#[component]
pub fn GrowthChart(props: &GrowthProps) -> Html {
    let report = &props.report;
    let pages: Vec<(String, f64)> =
        report.sizes.iter().filter_map(|s| s.users.map(|n| (s.workload.clone(), f64::from(n)))).collect();
    if pages.len() < 2 {
        return html! { <p class="muted">{ "Run two or more pages of users to see how time and size grow with them." }</p> };
    }
    let mut times = Vec::new();
    for c in report.codecs() {
        for d in Direction::BOTH {
            let points: Vec<(f64, f64)> =
                pages.iter().filter_map(|(w, n)| report.row(w, c, d).map(|r| (*n, r.stat.median_ns))).collect();
            if points.len() >= 2 {
                let name = format!("{} {}", c.name(), d.label());
                times.push(Line { name, class: series_class(c), dashed: d == Direction::Encode, points });
            }
        }
    }
    let size = |name: &str, class: &'static str, dashed: bool, f: &dyn Fn(&Sizes) -> usize| Line {
        name: name.into(),
        class,
        dashed,
        points: report.sizes.iter().filter_map(|s| s.users.map(|n| (f64::from(n), f(s) as f64))).collect(),
    };
    let sizes = vec![
        size("protobuf", "series-prost", false, &|s| s.protobuf),
        size("protobuf, gzip", "series-prost", true, &|s| s.protobuf_gzip),
        size("JSON", "series-serde", false, &|s| s.json),
        size("JSON, gzip", "series-serde", true, &|s| s.json_gzip),
    ];
    html! {
        <div class="growth">
            { log_log("Time per message against users (encode dashed)", &times, &duration) }
            { log_log("Bytes per message against users (gzip dashed)", &sizes, &|b| thousands(b as usize)) }
        </div>
    }
}

fn log_log(title: &str, lines: &[Line], format_y: &dyn Fn(f64) -> String) -> Html {
    let (left, right, top, bottom, height) = (64.0, 150.0, 12.0, 36.0, 260.0);
    let all = || lines.iter().flat_map(|l| l.points.iter()).filter(|(x, y)| *x > 0.0 && *y > 0.0);
    let decades = |v: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        (lo.log10().floor(), hi.log10().ceil().max(lo.log10().floor() + 1.0))
    };
    let (x0, x1) = decades(&mut all().map(|p| p.0));
    let (y0, y1) = decades(&mut all().map(|p| p.1));
    if !(x0.is_finite() && y0.is_finite()) {
        return html! {};
    }
    let plot_w = WIDTH - left - right;
    let px = |x: f64| left + (x.log10() - x0) / (x1 - x0) * plot_w;
    let py = |y: f64| top + (1.0 - (y.log10() - y0) / (y1 - y0)) * height;
    let ticks = |a: f64, b: f64| (a as i32..=b as i32).map(|e| 10f64.powi(e)).collect::<Vec<_>>();
    // Each line's name at its last point, moved down where it would overlap the one above.
    let mut labels: Vec<(usize, f64)> =
        lines.iter().enumerate().filter_map(|(i, l)| l.points.last().map(|(_, y)| (i, py(*y) + 4.0))).collect();
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    for k in 1..labels.len() {
        labels[k].1 = labels[k].1.max(labels[k - 1].1 + 11.0);
    }
    let label_y = |i: usize| labels.iter().find(|(j, _)| *j == i).map_or(0.0, |(_, y)| *y);
    let svg_height = (top + height + bottom).max(labels.last().map_or(0.0, |(_, y)| y + 6.0));
    html! {
        <figure class="chart">
            <svg role="img" aria-label={title.to_owned()} viewBox={format!("0 0 {WIDTH} {svg_height}")} width={WIDTH.to_string()}>
                { for ticks(x0, x1).into_iter().map(|x| html! {
                    <g class="tick">
                        <line x1={format!("{:.1}", px(x))} x2={format!("{:.1}", px(x))} y1={top.to_string()} y2={(top + height).to_string()} />
                        <text x={format!("{:.1}", px(x))} y={(top + height + 16.0).to_string()} text-anchor="middle">{ thousands(x as usize) }</text>
                    </g>
                }) }
                { for ticks(y0, y1).into_iter().map(|y| html! {
                    <g class="tick">
                        <line x1={left.to_string()} x2={(left + plot_w).to_string()} y1={format!("{:.1}", py(y))} y2={format!("{:.1}", py(y))} />
                        <text x={(left - 6.0).to_string()} y={format!("{:.1}", py(y) + 4.0)} text-anchor="end">{ format_y(y) }</text>
                    </g>
                }) }
                <text class="axis-label" x={format!("{:.1}", left + plot_w / 2.0)} y={(top + height + 32.0).to_string()} text-anchor="middle">{ "users per page" }</text>
                { for lines.iter().enumerate().filter(|(_, l)| !l.points.is_empty()).map(|(i, l)| {
                    let points: Vec<String> = l.points.iter().map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(*y))).collect();
                    let (lx, ly) = (l.points.last().map_or(0.0, |(x, _)| px(*x)), label_y(i));
                    html! {
                        <g class={classes!("line", l.class, l.dashed.then_some("dashed"))}>
                            <polyline points={points.join(" ")}><title>{ l.name.clone() }</title></polyline>
                            { for l.points.iter().map(|(x, y)| html! {
                                <circle cx={format!("{:.1}", px(*x))} cy={format!("{:.1}", py(*y))} r="2.5">
                                    <title>{ format!("{}: {} at {} users", l.name, format_y(*y), thousands(*x as usize)) }</title>
                                </circle>
                            }) }
                            <text class="chart-label" x={format!("{:.1}", lx + 6.0)} y={format!("{:.1}", ly)}>{ l.name.clone() }</text>
                        </g>
                    }
                }) }
            </svg>
            <figcaption class="muted">{ title }</figcaption>
        </figure>
    }
}
