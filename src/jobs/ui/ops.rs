//! `/ops`: the job queues for operators (`RBAY_ADMINS`): per queue, what waits, runs, waits
//! for its time and died; processed and failed per minute; the dead jobs with their errors,
//! each with Retry and Discard. Everyone else gets 404.

use crate::analytics::fleet::FleetPanel;
use crate::jobs::api::get_ops;
use crate::jobs::{OpsView, QueueView};
use crate::ui::status::ErrorPage;
use crate::util::html::WideTable;
use crate::util::time::ago;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OpsPage() -> impl IntoView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                match (get_ops().await, crate::accounts::viewer_clock().await) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error/> }.into_any(),
                    (Ok(ops), Ok(zone)) => view! { <Title text="Operations"/> {ops_view(ops, zone)} }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn ops_view(ops: OpsView, zone: crate::util::zone::Zone) -> impl IntoView {
    let now = ops.now_ms;
    let queues = ops
        .queues
        .iter()
        .map(|q| {
            view! {
                <tr data-queue=q.name.clone()>
                    <th scope="row">{q.name.clone()}</th>
                    <td data-count="waiting">{q.counts.waiting}</td>
                    <td data-count="running">{q.counts.running}</td>
                    <td data-count="delayed">{q.counts.delayed}</td>
                    <td data-count="dead">{q.counts.dead}</td>
                    <td>{per_minute(&q.counts.processed)}</td>
                    <td>{per_minute(&q.counts.failed)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="ops-page">
            <h1>"Operations"</h1>
            <p><a href="/ops/moderation">"Moderation: reports and the audit log →"</a></p>
            <h2>"Fleet"</h2>
            <div class="fleet"><FleetPanel figures=ops.fleet.clone() now_ms=ops.now_ms zone/></div>
            <h2>"Job queues"</h2>
            <WideTable
                label="Job queues"
                caption="Each queue now, and per minute over the last ten minutes"
                heads=&[
                    "Queue",
                    "Waiting",
                    "Running",
                    "Scheduled",
                    "Dead",
                    "Processed / min",
                    "Failed / min",
                ]
            >
                {queues}
            </WideTable>
            {ops.queues.into_iter().filter(|q| !q.dead_jobs.is_empty()).map(move |q| dead_view(q, now)).collect_view()}
        </section>
    }
}

/// "3 · 0 · 12" (oldest to now), with the current minute's figure last.
fn per_minute(series: &[u64]) -> String {
    series
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn dead_view(q: QueueView, now: i64) -> impl IntoView {
    let queue = q.name.clone();
    view! {
        <h2>"Dead jobs in " {q.name.clone()}</h2>
        <ul class="dead-jobs">
            {q.dead_jobs.into_iter().map(|d| {
                let queue = queue.clone();
                view! {
                    <li class="dead-job" data-job-id=d.job_id>
                        <p>
                            <strong>{d.kind.clone()}</strong>
                            " #" {d.job_id} " · " {d.attempts} " attempts · died " {ago(d.failed_at_ms, now)}
                        </p>
                        <p class="dead-error">{d.error.clone()}</p>
                        <pre class="dead-payload">{d.payload.clone()}</pre>
                        <form method="post" action="/api/ops/dead" class="dead-actions">
                            <input type="hidden" name="queue" value=queue/>
                            <input type="hidden" name="entry" value=d.entry.clone()/>
                            <button type="submit" class="button button-small" name="action" value="retry">"Retry"</button>
                            <button type="submit" class="button button-small button-ghost" name="action" value="discard">"Discard"</button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
