//! Public profiles on Redis.

use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::ItemId;
use crate::profiles::{Profile, PROFILE_LIST};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use crate::util::time::now_ms;

/// The first reply: (username, created_at), the ids sold, the ids liked.
type ProfileRows = ((Option<String>, Option<i64>), Vec<String>, Vec<String>);

/// The profile of user `id`, or `None` for an unknown user.
/// Two round trips: the user and both id lists in one pipeline, then the cards of both lists
/// with the user's rating and page `feedback_page` of the feedback they received.
pub async fn profile(db: &Db, id: UserId, feedback_page: u64) -> Result<Option<Profile>, AppError> {
    use crate::orders::server::feedback;
    let user_id = id;
    let keys = db.keys();
    let mut conn = db.conn()?;
    let newest = PROFILE_LIST as isize - 1;
    let ((username, created), selling, liked): ProfileRows = redis::pipe()
        .hmget(keys.user(user_id), &["username", "created_at"])
        .zrevrange(keys.user_items(user_id), 0, newest)
        .zrevrange(keys.user_likes(user_id), 0, newest)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("profile", e))?;
    let Some(username) = username else {
        return Ok(None);
    };
    let ids = |raw: Vec<String>| {
        raw.iter()
            .filter_map(|id| ItemId::parse(id))
            .collect::<Vec<_>>()
    };
    let (selling, liked) = (ids(selling), ids(liked));
    // Everything goes out together on the multiplexed connection.
    let now = now_ms();
    let (selling, liked, rating, received) = tokio::join!(
        cards_by_id(db, &selling),
        cards_by_id(db, &liked),
        crate::accounts::server::rating::summary(db, user_id, now),
        feedback::received(db, user_id, feedback_page),
    );
    let (feedback, feedback_total) = received?;
    Ok(Some(Profile {
        id: user_id,
        username,
        member_since_ms: created.unwrap_or(0),
        selling: selling?,
        liked: liked?,
        rating: rating?,
        feedback,
        feedback_total,
        feedback_page,
        now_ms: now,
    }))
}
