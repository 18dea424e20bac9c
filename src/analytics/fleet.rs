//! The fleet's figures as `/ops` shows them (requests, latency, instances, Redis), and the
//! panel that draws them: read by `analytics::server::ops`, rendered with the operations page
//! (`jobs::ui::ops`) like any other component.

use crate::analytics::chart::BarChart;
use crate::util::html::{Tiles, WideTable};
use leptos::prelude::*;

/// What an instance says about itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InstanceFigures {
    pub instance: String,
    pub live_streams: usize,
    pub rss_bytes: u64,
    pub started_ms: i64,
    pub at_ms: i64,
}

/// One route over a period: requests, and the 99th percentile latency (the upper bound of its
/// histogram bucket, so at most ~19% high).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteFigures {
    pub route: String,
    pub requests: u64,
    pub p99_ms: f64,
}

/// What the ops panel shows of the fleet.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FleetFigures {
    /// Busiest first.
    pub routes: Vec<RouteFigures>,
    /// Requests per minute over the last hour, oldest first.
    pub per_minute: Vec<i64>,
    pub first_minute_ms: i64,
    pub instances: Vec<InstanceFigures>,
    pub redis_ops_per_sec: i64,
    pub redis_memory_bytes: i64,
}

/// The fleet panel: requests per minute over the hour (on the operator's chosen clock, else
/// UTC), the routes with their requests, rate and p99, each instance's figures, Redis' own.
#[component]
pub fn FleetPanel(
    figures: FleetFigures,
    now_ms: i64,
    zone: crate::util::zone::Zone,
) -> impl IntoView {
    let f = figures;
    let series = crate::analytics::Series {
        metric: crate::analytics::Metric::Views,
        start_ms: f.first_minute_ms,
        step_ms: 60_000,
        values: f.per_minute.clone(),
        people: None,
    };
    let mib = |b: i64| format!("{:.1} MiB", b as f64 / 1_048_576.0);
    let streams: usize = f.instances.iter().map(|i| i.live_streams).sum();
    let tiles = vec![
        ("Redis ops/s", f.redis_ops_per_sec.to_string(), "redis-ops"),
        ("Redis memory", mib(f.redis_memory_bytes), "redis-memory"),
        ("Instances", f.instances.len().to_string(), "instances"),
        ("Live streams", streams.to_string(), "streams"),
    ];
    let routes = f
        .routes
        .iter()
        .map(|r| {
            view! {
                <tr data-route=r.route.clone()>
                    <th scope="row">{r.route.clone()}</th>
                    <td class="num">{r.requests}</td>
                    <td class="num">{format!("{:.1}", r.requests as f64 / 3600.0)}</td>
                    <td class="num">{format!("{:.1} ms", r.p99_ms)}</td>
                </tr>
            }
        })
        .collect_view();
    let instances = f
        .instances
        .iter()
        .map(|i| {
            view! {
                <tr>
                    <th scope="row">{i.instance.clone()}</th>
                    <td class="num">{i.live_streams}</td>
                    <td class="num">{mib(i.rss_bytes as i64)}</td>
                    <td>{crate::util::time::ago(i.started_ms, now_ms).replace(" ago", "")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <Tiles tiles/>
        <div class="charts charts-wide">
            <BarChart
                id="ops-requests".to_string()
                title=format!("Requests per minute, whole fleet ({})", zone.name())
                series
                unit=("request", "requests")
                wide=true
                zone
            />
        </div>
        <WideTable
            label="Routes"
            caption="Routes over the last hour (p99: upper bound of its latency bucket)"
            heads=&["Route", "Requests", "Requests/s", "p99"]
            testid="routes"
        >
            {routes}
        </WideTable>
        <WideTable
            label="Instances"
            caption="Instances (each reports every 5 s)"
            heads=&["Instance", "Live streams", "Memory (RSS)", "Up for"]
            testid="instances"
        >
            {instances}
        </WideTable>
    }
}
