//! Server functions: the viewer's lists.

use crate::error::AppError;
use crate::my_lists::MyLists;
use leptos::prelude::*;

/// The signed-in user's lists: `bids` (My bids), `watching`, `won` (Won / Sold). `None` when
/// nobody is signed in.
#[server(prefix = "/api", endpoint = "my/list")]
pub async fn my_list(list: String) -> Result<Option<MyLists>, AppError> {
    use crate::engagement::server::watch;
    use crate::my_lists::server::mine;
    use crate::my_lists::{MyItem, MyStatus};
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let now_ms = crate::util::time::now_ms();
    let lists = match list.as_str() {
        "bids" => MyLists {
            viewer_id: user.id,
            items: mine::my_bids(&state.db, user.id).await?,
            others: Vec::new(),
            now_ms,
        },
        "watching" => MyLists {
            viewer_id: user.id,
            items: watch::watching(&state.db, user.id)
                .await?
                .into_iter()
                .map(|card| MyItem {
                    card,
                    status: MyStatus::Outbid,
                    my_max_cents: None,
                    other_party: None,
                    order: None,
                })
                .collect(),
            others: Vec::new(),
            now_ms,
        },
        "won" => {
            let (won, sold) = mine::won_and_sold(&state.db, user.id).await?;
            MyLists {
                viewer_id: user.id,
                items: won,
                others: sold,
                now_ms,
            }
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Some(lists))
}
