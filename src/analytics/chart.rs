//! Charts drawn as SVG on the server by Leptos components: the same component is rendered
//! into a page and, as HTML (`util::html::to_html`), sent as a fragment when a live page refreshes its
//! panels. Every chart has a title and a text alternative (`<title>`/`<desc>`), real scales
//! with labels, and a value on every bar or point (an SVG `<title>`: shown on hover, read by
//! screen readers). Leptos escapes every text and attribute; no markup is written by hand.

use super::{Scale, Series};
use crate::util::money::format_cents;
use crate::util::zone::Zone;
use leptos::prelude::*;

// A small chart's coordinates are about its size on screen in a grid cell (≈260 px), so its
// 11 px labels stay about 11–13 px; a wide chart (the price chart, the fleet's requests) is
// drawn for its box of up to 720 px. On a phone both are about 330 px wide, and the style sheet
// sizes their labels for that (`.charts-wide .tick`), so a label is 10–16 px on every screen.
const W: f64 = 260.0;
const H: f64 = 124.0;
const PRICE_W: f64 = 600.0;
const PRICE_H: f64 = 200.0;
const WIDE_H: f64 = 160.0;
const LEFT: f64 = 34.0;
const PRICE_LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 22.0;

/// The label of a bucket start: `14:05` (minutes), `14:00` (hours) on `zone`'s clock; `11-27`
/// (days). Day buckets are UTC days (they are counted from the Unix epoch), so a day is named
/// by its UTC date in every zone: moved to another zone's clock it would straddle two dates.
pub fn bucket_label(scale: Scale, start_ms: i64, zone: &Zone) -> String {
    match scale {
        Scale::Minute | Scale::Hour => zone.clock(start_ms),
        Scale::Day => Zone::utc().month_day(start_ms),
    }
}

/// A round number at or above `max` (1, 2 or 5 times a power of ten), so the axis reads well.
pub fn nice_ceiling(max: i64) -> i64 {
    if max <= 1 {
        return 1;
    }
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if step * m >= max {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// The price scale's ticks for prices from `lo` to `hi` (cents): round steps (1, 2 or 5 times
/// a power of ten, at least $1), from the step at or below `lo` to the one at or above `hi`,
/// 2 to 5 ticks, so the axis reads $10.00 / $20.00 / $30.00, never $39.75 / $101.25.
pub fn price_ticks(lo: i64, hi: i64) -> Vec<i64> {
    let (lo, hi) = (lo.max(0), hi.max(lo.max(0)));
    let mut unit = 100;
    loop {
        for step in [unit, unit * 2, unit * 5] {
            let bottom = lo.div_euclid(step) * step;
            let mut top = (hi + step - 1).div_euclid(step) * step;
            if top == bottom {
                top += step;
            }
            if (top - bottom) / step <= 4 {
                return (0..=(top - bottom) / step)
                    .map(|i| bottom + i * step)
                    .collect();
            }
        }
        unit *= 10;
    }
}

fn scale_of(series: &Series) -> Scale {
    match series.step_ms {
        s if s <= super::MINUTE_MS => Scale::Minute,
        s if s <= super::HOUR_MS => Scale::Hour,
        _ => Scale::Day,
    }
}

/// One labelled line of a chart's scale: the grid line and its value.
#[component]
fn Tick(left: f64, right: f64, y: f64, label: String) -> impl IntoView {
    view! {
        <line class="grid" x1=format!("{left}") y1=format!("{y:.1}") x2=format!("{right:.1}") y2=format!("{y:.1}")/>
        <text class="tick" x=format!("{:.1}", left - 4.0) y=format!("{:.1}", y + 3.5) text-anchor="end">{label}</text>
    }
}

/// A bar chart of counts per bucket, in a `<figure>` with the total in its caption. `id` makes
/// the element ids unique on the page; `unit` names one count ("bid", "view").
#[component]
pub fn BarChart(
    id: String,
    title: String,
    series: Series,
    unit: (&'static str, &'static str),
    /// Drawn for a wide box (`.charts-wide`, up to 720 px) rather than a grid cell.
    #[prop(optional)]
    wide: bool,
    /// The clock the time axis reads.
    zone: Zone,
) -> impl IntoView {
    let (w, h) = if wide { (PRICE_W, WIDE_H) } else { (W, H) };
    let scale = scale_of(&series);
    let total = series.total();
    let max = series.values.iter().copied().max().unwrap_or(0);
    let top = nice_ceiling(max);
    let n = series.values.len().max(1) as f64;
    let plot_w = w - LEFT - RIGHT;
    let plot_h = h - TOP - BOTTOM;
    let slot = plot_w / n;
    let bar_w = (slot * 0.8).max(1.0);
    let words = move |v: i64| if v == 1 { unit.0 } else { unit.1 };
    let label_at =
        |i: usize| bucket_label(scale, series.start_ms + i as i64 * series.step_ms, &zone);
    let peak = series
        .values
        .iter()
        .enumerate()
        .max_by_key(|(i, v)| (**v, *i))
        .filter(|(_, v)| **v > 0)
        .map(|(i, v)| format!(" Busiest: {} {} at {}.", v, words(*v), label_at(i)))
        .unwrap_or_default();
    // The scale: 0, the top, and half when it is a whole number between them.
    let half = (top % 2 == 0).then_some(top / 2);
    let ticks: Vec<(i64, f64)> = [
        (Some(0), TOP + plot_h),
        (half, TOP + plot_h / 2.0),
        (Some(top), TOP),
    ]
    .into_iter()
    .filter_map(|(value, y)| value.map(|v| (v, y)))
    .collect();
    let bars: Vec<_> = series
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = *v as f64 / top as f64 * plot_h;
            let x = LEFT + i as f64 * slot + (slot - bar_w) / 2.0;
            let tip = format!("{}: {v} {}", label_at(i), words(*v));
            view! {
                <rect x=format!("{x:.1}") y=format!("{:.1}", TOP + plot_h - h) width=format!("{bar_w:.1}") height=format!("{h:.1}") data-value=*v>
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect();
    // Time axis: the first, middle and last bucket.
    let last = series.values.len().saturating_sub(1);
    let axis: Vec<_> = [(0, "start"), (last / 2, "middle"), (last, "end")]
        .into_iter()
        .map(|(i, anchor)| {
            let x = match anchor {
                "start" => LEFT,
                "end" => w - RIGHT,
                _ => LEFT + (i as f64 + 0.5) * slot,
            };
            view! {
                <text class="tick" x=format!("{x:.1}") y=format!("{:.1}", h - 6.0) text-anchor=anchor>{label_at(i)}</text>
            }
        })
        .collect();
    let desc = format!("{total} {} in all.{peak}", words(total));
    view! {
        <figure class="chart" data-chart=id.clone()>
            <figcaption>
                <span class="chart-title">{title.clone()}</span>
                " "
                <strong class="chart-total" data-total=total>{total}</strong>
            </figcaption>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=format!("{id}-t {id}-d")>
                <title id=format!("{id}-t")>{title}</title>
                <desc id=format!("{id}-d")>{desc}</desc>
                {ticks
                    .into_iter()
                    .map(|(value, y)| view! { <Tick left=LEFT right=w - RIGHT y label=value.to_string()/> })
                    .collect_view()}
                <g class="bars">{bars}</g>
                {axis}
            </svg>
        </figure>
    }
}

/// A step line of prices over time (`points`: (ms, cents), oldest first), on a scale from a
/// little under the lowest price to a little over the highest, not from $0. Its times (both
/// ends of the axis, every point's) are dates and times of day on `zone`'s clock.
#[component]
pub fn PriceChart(
    id: String,
    title: String,
    points: Vec<(i64, i64)>,
    until_ms: i64,
    zone: Zone,
) -> impl IntoView {
    let (Some(&(t0, first)), Some(&(t_last, last))) = (points.first(), points.last()) else {
        return view! {
            <figure class="chart">
                <figcaption>{title}</figcaption>
                <p class="muted">"No bids yet."</p>
            </figure>
        }
        .into_any();
    };
    let ticks = price_ticks(
        points.iter().map(|p| p.1).min().unwrap_or(0),
        points.iter().map(|p| p.1).max().unwrap_or(0),
    );
    let (lo, hi) = (ticks[0], ticks[ticks.len() - 1]);
    let t1 = until_ms.max(t_last).max(t0 + 1);
    let plot_w = PRICE_W - PRICE_LEFT - RIGHT;
    let plot_h = PRICE_H - TOP - BOTTOM;
    let x = move |t: i64| PRICE_LEFT + (t - t0) as f64 / (t1 - t0) as f64 * plot_w;
    let y = move |c: i64| TOP + plot_h - (c - lo) as f64 / (hi - lo).max(1) as f64 * plot_h;
    let mut path = String::new();
    for (i, (t, c)) in points.iter().enumerate() {
        if i == 0 {
            path.push_str(&format!("M{:.1},{:.1}", x(*t), y(*c)));
        } else {
            path.push_str(&format!(" H{:.1} V{:.1}", x(*t), y(*c)));
        }
    }
    path.push_str(&format!(" H{:.1}", x(t1)));
    let desc = format!(
        "From {} to {} in {} steps.",
        format_cents(first),
        format_cents(last),
        points.len().saturating_sub(1)
    );
    let dots: Vec<_> = points
        .iter()
        .map(|(t, c)| {
            let tip = format!("{} at {} {zone}", format_cents(*c), zone.stamp(*t));
            view! {
                <circle cx=format!("{:.1}", x(*t)) cy=format!("{:.1}", y(*c)) r="3"><title>{tip}</title></circle>
            }
        })
        .collect();
    view! {
        <figure class="chart" data-chart=id.clone()>
            <figcaption>
                <span class="chart-title">{title.clone()}</span>
                " "
                <strong class="chart-total">{format_cents(last)}</strong>
            </figcaption>
            <svg viewBox=format!("0 0 {PRICE_W} {PRICE_H}") role="img" aria-labelledby=format!("{id}-t {id}-d")>
                <title id=format!("{id}-t")>{title}</title>
                <desc id=format!("{id}-d")>{desc}</desc>
                {ticks
                    .into_iter()
                    .map(|c| view! { <Tick left=PRICE_LEFT right=PRICE_W - RIGHT y=y(c) label=format_cents(c)/> })
                    .collect_view()}
                <path class="line" d=path/>
                <g class="dots">{dots}</g>
                <text class="tick" x=format!("{PRICE_LEFT}") y=format!("{:.1}", PRICE_H - 6.0)>{zone.stamp(t0)}</text>
                <text class="tick" x=format!("{:.1}", PRICE_W - RIGHT) y=format!("{:.1}", PRICE_H - 6.0) text-anchor="end">{zone.stamp(t1)}</text>
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::{Metric, MINUTE_MS};
    use crate::util::html::to_html;

    fn series(values: Vec<i64>) -> Series {
        Series {
            metric: Metric::Bids,
            start_ms: 14 * 3_600_000,
            step_ms: MINUTE_MS,
            values,
            people: None,
        }
    }

    #[test]
    fn axes_are_round_and_labels_read_the_zones_clock() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(3), 5);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(480), 500);
        let utc = Zone::utc();
        let at = 14 * 3_600_000 + 5 * MINUTE_MS;
        assert_eq!(bucket_label(Scale::Minute, at, &utc), "14:05");
        assert_eq!(bucket_label(Scale::Day, 1_795_824_000_000, &utc), "11-28");
        #[cfg(feature = "ssr")]
        {
            let kolkata = Zone::named("Asia/Kolkata").expect("Kolkata");
            assert_eq!(bucket_label(Scale::Hour, at, &kolkata), "19:35");
            // A day bucket is a UTC day: named by its UTC date in every zone.
            let la = Zone::named("America/Los_Angeles").expect("Los Angeles");
            assert_eq!(bucket_label(Scale::Day, 1_795_824_000_000, &la), "11-28");
        }
    }

    #[test]
    fn a_bar_chart_says_its_numbers_in_text_too() {
        let bar_chart = |id: &str, title: &str, series: Series, unit| {
            to_html(
                view! { <BarChart id=id.to_string() title=title.to_string() series unit zone=Zone::utc()/> },
            )
        };
        let svg = bar_chart("b", "Bids <all>", series(vec![0, 2, 5, 1]), ("bid", "bids"));
        assert!(svg.contains(r#"data-total="8""#));
        assert!(svg.contains("Bids &lt;all&gt;"), "titles are escaped");
        assert!(svg.contains("8 bids in all. Busiest: 5 bids at 14:02."));
        assert!(svg.contains("<title>14:03: 1 bid</title>"));
        assert_eq!(svg.matches("<rect").count(), 4);
        // The scale tops at 5 (no half-way line: 2.5 is not a count).
        assert!(svg.contains(">5</text>") && !svg.contains(">2</text>"));
        let svg = bar_chart("c", "Bids", series(vec![7]), ("bid", "bids"));
        assert!(
            svg.contains(">10</text>") && svg.contains(">5</text>") && svg.contains(">0</text>")
        );
    }

    #[test]
    fn a_price_chart_does_not_start_at_zero() {
        let svg = to_html(view! {
            <PriceChart
                id="p".to_string()
                title="Price".to_string()
                points=vec![(0, 300), (60_000, 325), (120_000, 400)]
                until_ms=180_000
                zone=Zone::utc()
            />
        });
        assert!(svg.contains("From $3.00 to $4.00 in 2 steps."));
        assert!(!svg.contains(">$0.00<"), "{svg}");
        assert!(svg.contains("<title>$3.25 at Jan 1 00:01 UTC</title>"));
        // Both ends of the time axis say date and time, never one of each.
        assert!(svg.contains(">Jan 1 00:00</text>") && svg.contains(">Jan 1 00:03</text>"));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_price_chart_reads_the_viewers_clock() {
        let svg = to_html(view! {
            <PriceChart
                id="p".to_string()
                title="Price".to_string()
                points=vec![(0, 300), (60_000, 325)]
                until_ms=120_000
                zone=Zone::named("Asia/Tokyo").expect("Tokyo")
            />
        });
        assert!(
            svg.contains("<title>$3.25 at Jan 1 09:01 Asia/Tokyo</title>"),
            "{svg}"
        );
        assert!(svg.contains(">Jan 1 09:00</text>") && svg.contains(">Jan 1 09:02</text>"));
    }

    #[test]
    fn price_ticks_are_round_and_cover_the_prices() {
        for (lo, hi) in [
            (4_025, 10_125),
            (1_000, 2_500),
            (1_000, 1_000),
            (0, 5),
            (99, 101),
            (123_456, 9_876_543),
            (1_000_000_000, 1_000_000_001),
        ] {
            let ticks = price_ticks(lo, hi);
            assert!((2..=5).contains(&ticks.len()), "{lo}..{hi}: {ticks:?}");
            assert!(ticks[0] <= lo && ticks[ticks.len() - 1] >= hi, "{ticks:?}");
            let step = ticks[1] - ticks[0];
            let mut unit = step;
            while unit % 10 == 0 {
                unit /= 10;
            }
            assert!([1, 2, 5].contains(&unit) && step >= 100, "{step}");
            assert!(ticks.iter().all(|t| t % step == 0), "{ticks:?}");
        }
        assert_eq!(price_ticks(1_000, 2_500), vec![1_000, 1_500, 2_000, 2_500]);
        assert_eq!(price_ticks(1_000, 1_000), vec![1_000, 1_100]);
        assert_eq!(
            price_ticks(4_025, 10_125),
            vec![4_000, 6_000, 8_000, 10_000, 12_000]
        );
    }
}
