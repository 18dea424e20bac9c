//! The seller's items for the dashboard, sorted by a column from a fixed list, through the
//! items index (`items::server::index`).

use crate::error::AppError;
use crate::items::server::index::{cards_of, IdQuery, Sort, MAX_DEPTH};
use crate::items::CardPage;
use crate::seller::{DASHBOARD_PAGE_SIZE, DASHBOARD_SORT_KEYS};
use crate::server::redis::db::Db;
use crate::util::id::UserId;
use crate::util::time::now_ms;

/// Checks a dashboard sort key against the fixed list.
pub fn dashboard_sort_key(requested: &str) -> Result<&'static str, AppError> {
    DASHBOARD_SORT_KEYS
        .iter()
        .find(|k| **k == requested)
        .copied()
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "Can't sort by {:?}; choose one of: {}.",
                requested.chars().take(40).collect::<String>(),
                DASHBOARD_SORT_KEYS.join(", ")
            ))
        })
}

/// A seller's items for the dashboard, sorted by a validated column.
pub async fn seller_items(
    db: &Db,
    seller_id: UserId,
    sort_key: &'static str,
    descending: bool,
    page: usize,
) -> Result<CardPage, AppError> {
    let page = page.clamp(1, MAX_DEPTH / DASHBOARD_PAGE_SIZE);
    let query = IdQuery {
        query: format!("@seller_id:{{{seller_id}}}"),
        sort: Some(Sort {
            field: sort_key,
            descending,
        }),
        offset: (page - 1) * DASHBOARD_PAGE_SIZE,
        count: DASHBOARD_PAGE_SIZE,
    };
    let (total, cards) = cards_of(db, "seller items", query).await?;
    Ok(CardPage {
        total,
        cards,
        now_ms: now_ms(),
        facets: Vec::new(),
        did_you_mean: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dashboard_sort_keys_are_a_fixed_list() {
        assert_eq!(dashboard_sort_key("price").unwrap(), "price");
        for bad in ["", "password", "price DESC", "name;FLUSHALL", "__key"] {
            assert!(
                matches!(dashboard_sort_key(bad), Err(AppError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
