//! The new-item form on the server: reads the multipart upload with hard size limits,
//! validates every field, processes the photo off the async runtime, then lists the item.
//! Nothing is written unless everything is valid.

use crate::accounts::sign_in_url;
use crate::error::AppError;
use crate::items::server::images::{self, PhotoError};
use crate::items::server::store;
use crate::items::server::store::photo_field;
use crate::items::NewItem;
use crate::listings::{
    check_listing, CreateItemReply, ItemFormErrors, ItemFormValues, ListingProblem,
    LISTING_PROBLEMS_PARAM, PHOTO,
};
use crate::server::http::forms::redirect_plain_post;
use crate::server::jobs::{self, JobError};
use crate::server::redis::db::Db;
use crate::server::redis::rate_limit::{self, Action, Limit};
use crate::server::state::AppState;
use crate::server::workers::Workers;
use crate::util::echo;
use crate::util::id::UserId;
use crate::util::limits::MAX_PHOTO_BYTES;
use leptos::server_fn::codec::MultipartData;

/// Text fields are small; anything bigger is cut off (and then fails validation).
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// What the form sent.
#[derive(Debug, Default)]
pub struct ItemForm {
    /// The text fields, as typed (what a refused listing sends back to the form).
    pub values: ItemFormValues,
    /// The photos in the order sent (the first is the cover), each decoded and re-encoded as
    /// soon as it arrived: the upload's own bytes are never held for more than one photo.
    pub photos: Vec<images::Photo>,
    /// The first problem with a photo (later photos are then not decoded).
    pub photo_problem: Option<ListingProblem>,
    /// Refused before its photos were decoded (rate limit): nothing more is spent on it.
    pub refused: Option<ListingProblem>,
    /// The server could not take the photos now (the photo worker is busy).
    pub failed: Option<AppError>,
    /// Photos were drained unread because the form was not valid when they arrived.
    pub photos_skipped: bool,
    /// The listing was counted against the seller's rate limit while reading (before the
    /// first photo was decoded).
    pub counted: bool,
    pub malformed: bool,
    /// The body went over the route's size limit (a chunked upload without Content-Length).
    pub body_too_large: bool,
    /// A revision: the listing it revises (the form's first field, `item_id`).
    pub item: Option<crate::items::ItemId>,
}

/// Reads the multipart error: a body cut off by the size limit, or a broken upload.
fn note_read_error(form: &mut ItemForm, e: &(dyn std::error::Error + 'static)) {
    use leptos::server_fn::error::ServerFnErrorWrapper;
    // The body's own error travels inside multer's "failed to read stream".
    let mut cause = Some(e);
    while let Some(err) = cause {
        if let Some(ServerFnErrorWrapper(AppError::TooLarge)) =
            err.downcast_ref::<ServerFnErrorWrapper<AppError>>()
        {
            form.body_too_large = true;
            return;
        }
        cause = err.source();
    }
    tracing::warn!(error = %e, "malformed multipart upload");
    form.malformed = true;
}

/// Reads the multipart body field by field, never holding more than the limits allow. The
/// text fields come first (form order); at the first photo the form is checked and the
/// seller's listing rate limit counted, and photos are decoded only if both pass, one at a
/// time on the photo worker, each as soon as it has arrived.
///
/// `gate` decides, at the first photo, whether the form's photos are worth decoding: the form
/// so far is valid and the seller may send it now (counted against their rate limit when so).
/// A new listing's is [`gate`]; a revision's is `revise::gate`.
pub async fn read_form(
    data: MultipartData,
    state: &AppState,
    seller_id: UserId,
    gate: impl AsyncFn(&AppState, UserId, &mut ItemForm) -> bool,
) -> ItemForm {
    let mut form = ItemForm::default();
    // A checkbox is sent only when checked (the empty form's own default is "checked").
    form.values.soft_close = false;
    // Decide once, at the first photo, whether photos are worth decoding.
    let mut decode: Option<bool> = None;
    let Some(mut multipart) = data.into_inner() else {
        form.malformed = true;
        return form;
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                note_read_error(&mut form, &e);
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let limit = if name == "photo" {
            MAX_PHOTO_BYTES
        } else {
            MAX_TEXT_FIELD
        };
        let mut bytes = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        over = true;
                        // Keep reading to the end of this field without storing it.
                        continue;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    note_read_error(&mut form, &e);
                    return form;
                }
            }
        }
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "name" => form.values.name = text(),
            "description" => form.values.description = text(),
            "price" => form.values.price = text(),
            "duration" => form.values.duration = text(),
            "reserve" => form.values.reserve = text(),
            "buy_now" => form.values.buy_now = text(),
            "category" => form.values.category = text(),
            "condition" => form.values.condition = text(),
            "location" => form.values.location = text(),
            "shipping" => form.values.shipping = text(),
            "shipping_cost" => form.values.shipping_cost = text(),
            "returns" => form.values.returns = text(),
            "soft_close" => form.values.soft_close = !bytes.is_empty(),
            "item_id" => form.item = crate::items::ItemId::parse(&text()),
            // An empty file input sends an empty part: no photo.
            "photo" if bytes.is_empty() && !over => {}
            "photo" => {
                let worth = match decode {
                    Some(worth) => worth,
                    None => {
                        let worth = gate(state, seller_id, &mut form).await;
                        decode = Some(worth);
                        worth
                    }
                };
                if !worth {
                    form.photos_skipped = true;
                    continue;
                }
                if form.photo_problem.is_some() {
                    continue;
                }
                if over {
                    form.photo_problem = Some(ListingProblem::PhotoLarge);
                } else if form.photos.len() == MAX_PHOTOS {
                    form.photo_problem = Some(ListingProblem::PhotoCount);
                } else {
                    match decode_photo(bytes).await {
                        Ok(Ok(photo)) => form.photos.push(photo),
                        Ok(Err(e)) => form.photo_problem = Some(photo_problem(e)),
                        Err(e) => {
                            // The photo worker is saturated: the request fails as a whole
                            // (503 with Retry-After), and nothing more is decoded.
                            form.failed = Some(e);
                            decode = Some(false);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    form
}

/// A new listing's gate for [`read_form`]: at the first photo, is the form valid so far, and
/// may the seller list now? Counts the listing against the rate limit (once) when it is.
async fn gate(state: &AppState, seller_id: UserId, form: &mut ItemForm) -> bool {
    let rules = FormRules::new_listing(state);
    (rules.check)(&form.values).0.is_empty() && count(state, seller_id, rules, form).await
}

/// What an item form is held to: its fields' rules, and the rate limit each sending counts
/// against (a new listing's, or a revision's).
#[derive(Clone, Copy)]
pub struct FormRules {
    pub check: fn(&ItemFormValues) -> (ItemFormErrors, Option<NewItem>),
    pub action: Action,
    pub limit: Limit,
}

impl FormRules {
    /// A new listing: the whole form, the seller's listing limit.
    pub fn new_listing(state: &AppState) -> Self {
        FormRules {
            check: check_listing,
            action: Action::Listing,
            limit: state.config.listing_limit,
        }
    }
}

/// Counts the form against its rate limit, once, before its photos are decoded: `true` when
/// it may go on (`counted`), else `refused` (the limit) or `failed` (Redis) says why.
pub async fn count(
    state: &AppState,
    seller: UserId,
    rules: FormRules,
    form: &mut ItemForm,
) -> bool {
    match rate_limit::enforce_user(&state.db, rules.action, seller, rules.limit).await {
        Ok(Ok(())) => {
            form.counted = true;
            true
        }
        Ok(Err(secs)) => {
            form.refused = Some(ListingProblem::RateLimited(secs));
            false
        }
        Err(e) => {
            form.failed = Some(e);
            false
        }
    }
}

/// Refused: back to the form's `page` with the problems and what was typed (a plain form post;
/// the photos are not kept).
pub fn send_back(page: &str, errors: ItemFormErrors, form: &ItemForm) -> CreateItemReply {
    redirect_plain_post(&echo::url(
        page,
        (LISTING_PROBLEMS_PARAM, &errors.to_codes()),
        form.values.clone(),
        "",
    ));
    CreateItemReply::Rejected(errors)
}

/// A form read by [`read_form`], checked: the item to write; or `Ok(Err(_))`, the problems to
/// send back to the form (nothing written); or an error for the request as a whole (too
/// large, incomplete, Redis). Counts the form against its rate limit if reading did not.
pub async fn checked(
    state: &AppState,
    seller: UserId,
    rules: FormRules,
    form: &ItemForm,
) -> Result<Result<NewItem, ItemFormErrors>, AppError> {
    if form.body_too_large {
        return Err(AppError::TooLarge);
    }
    if form.malformed {
        return Err(AppError::Invalid(
            "The upload was incomplete. Please try again.".into(),
        ));
    }
    if let Some(e) = &form.failed {
        return Err(e.clone());
    }
    if let Some(problem) = form.refused {
        return Ok(Err(ItemFormErrors::form(problem)));
    }
    let (mut errors, checked) = (rules.check)(&form.values);
    if let Some(problem) = form.photo_problem {
        errors.set(PHOTO, problem);
    }
    let Some(item) = checked.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    // Valid now, but not when its photos came: its fields were sent after them (browsers send
    // the form in order). Never write it without the photos it was sent with.
    if form.photos_skipped {
        return Err(AppError::Invalid(
            "Send the form's fields before its photos.".into(),
        ));
    }
    // Without photos nothing was counted while reading: count now, before writing.
    if !form.counted {
        if let Err(secs) =
            rate_limit::enforce_user(&state.db, rules.action, seller, rules.limit).await?
        {
            return Ok(Err(ItemFormErrors::form(ListingProblem::RateLimited(secs))));
        }
    }
    Ok(Ok(item))
}

pub use crate::listings::MAX_PHOTOS;

/// The photo decoder: one thread server-wide (each photo may take up to 48 MB while it is
/// decoded); an upload waits up to 10 s for it, then gets 503 with Retry-After.
static PHOTO_WORKERS: std::sync::LazyLock<Workers> =
    std::sync::LazyLock::new(|| Workers::new("photos", 1, std::time::Duration::from_secs(10)));

/// Decodes and re-encodes a photo on the photo worker: the large rendition only; the
/// thumbnail job makes the card's ([`run_thumbnail_job`]).
pub async fn decode_photo(bytes: Vec<u8>) -> Result<Result<images::Photo, PhotoError>, AppError> {
    PHOTO_WORKERS
        .run(move || images::process_large(&bytes))
        .await
}

/// The queue and kind of the thumbnail job.
pub const PHOTO_QUEUE: &str = "photos";
pub const THUMBNAIL_JOB: &str = "thumbnail";

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ThumbnailJob {
    item: u64,
    /// The listing's revision when its photos were sent (jobs queued before revisions
    /// existed have none: 0).
    #[serde(default)]
    rev: u32,
}

/// `lua/set_thumbnail.lua`: a thumbnail, unless the listing's photos changed since the job
/// was queued.
static SET_THUMBNAIL: std::sync::LazyLock<redis::Script> = crate::lua_script!("set_thumbnail");

/// What `lua/set_thumbnail.lua` did, strictly `{ set }` or `{ stale }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ThumbnailSet {
    Set,
    /// The listing was revised (or deleted) since: its own job makes its thumbnails.
    Stale,
}

impl redis::FromRedisValue for ThumbnailSet {
    fn from_redis_value(v: redis::Value) -> Result<Self, redis::ParsingError> {
        let f = crate::server::redis::reply::Fields::new("set_thumbnail", v)?;
        f.expect_len(1)?;
        match f.status()?.as_str() {
            "set" => Ok(ThumbnailSet::Set),
            "stale" => Ok(ThumbnailSet::Stale),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// The job: make the card-size thumbnail of each of an item's photos (idempotent: it writes
/// the same bytes again), each stored only if the listing is still at the revision the job
/// was queued for. Runs on the same single photo thread as uploads, so memory stays bounded.
pub async fn run_thumbnail_job(db: &Db, payload: &str) -> Result<(), JobError> {
    let job: ThumbnailJob = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable thumbnail job: {e}")))?;
    let key = db.keys().item_image(job.item);
    let mut conn = db.raw_conn();
    // Every photo of the item, one at a time (no photo, or the item is gone: nothing to make).
    for n in 1..=MAX_PHOTOS {
        let large: Option<Vec<u8>> = redis::cmd("HGET")
            .arg(&key)
            .arg(photo_field(n, false))
            .query_async(&mut conn)
            .await?;
        let Some(large) = large else {
            break;
        };
        let thumb = PHOTO_WORKERS
            .run(move || images::thumbnail(&large))
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
            .map_err(|e| JobError::permanent(format!("stored photo unreadable: {e:?}")))?;
        let set: ThumbnailSet = SET_THUMBNAIL
            .key(&key)
            .key(db.keys().item(job.item))
            .arg(job.rev)
            .arg(photo_field(n, true))
            .arg(thumb)
            .invoke_async(&mut conn)
            .await?;
        if set == ThumbnailSet::Stale {
            // Made from photos a revision replaced: the revision's own job takes over.
            return Ok(());
        }
    }
    Ok(())
}

/// Queues the job that makes the thumbnails of a listing's photos (once per listing and
/// revision of its photos: `revision` 0 for a new listing).
pub async fn queue_thumbnails(db: &Db, id: crate::items::ItemId, revision: u32) {
    let payload = serde_json::to_string(&ThumbnailJob {
        item: id.0,
        rev: revision,
    })
    .unwrap_or_default();
    let key = match revision {
        0 => format!("thumb:{id}"),
        r => format!("thumb:{id}:{r}"),
    };
    if let Err(e) = jobs::enqueue(db, PHOTO_QUEUE, THUMBNAIL_JOB, &payload, None, Some(&key)).await
    {
        tracing::warn!(item_id = %id, error = %e, "thumbnail not queued; cards show the photo");
    }
}

/// Reads the form (only for a signed-in seller), validates it and lists the item; answers
/// plain form posts with a redirect.
pub async fn receive(state: &AppState, data: MultipartData) -> Result<CreateItemReply, AppError> {
    let Some(user) = crate::accounts::server::current_user(state).await? else {
        // Nothing is read for nobody.
        redirect_plain_post(&sign_in_url("/items/new"));
        return Ok(CreateItemReply::Rejected(ItemFormErrors::form(
            ListingProblem::SignIn,
        )));
    };
    let form = read_form(data, state, user.id, gate).await;
    create(state, &user, form).await
}

/// Validates a form read by [`read_form`] and lists the item.
pub async fn create(
    state: &AppState,
    user: &crate::accounts::CurrentUser,
    form: ItemForm,
) -> Result<CreateItemReply, AppError> {
    let item = match checked(state, user.id, FormRules::new_listing(state), &form).await? {
        Ok(item) => item,
        Err(errors) => return Ok(send_back("/items/new", errors, &form)),
    };
    let id = store::create_with(
        &state.db,
        user.id,
        &user.username,
        &item,
        store::PhotoSource::Upload(&form.photos),
    )
    .await?;
    if !form.photos.is_empty() {
        queue_thumbnails(&state.db, id, 0).await;
    }
    // Whoever saved a search that finds it hears of it (a job: the listing does not wait).
    crate::saved_searches::server::enqueue_match(&state.db, id).await;
    redirect_plain_post(&format!("/items/{id}"));
    Ok(CreateItemReply::Created { id: id.to_string() })
}

fn photo_problem(e: PhotoError) -> ListingProblem {
    match e {
        PhotoError::TooLarge => ListingProblem::PhotoLarge,
        PhotoError::NotAnImage => ListingProblem::PhotoType,
        PhotoError::TooManyPixels => ListingProblem::PhotoPixels,
    }
}
