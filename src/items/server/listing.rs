//! The new-item form on the server: reads the multipart upload with hard size limits,
//! validates every field, processes the photo off the async runtime, then lists the item.
//! Nothing is written unless everything is valid.

use crate::accounts::sign_in_url;
use crate::error::AppError;
use crate::items::server::images::{self, PhotoError, MAX_UPLOAD_BYTES};
use crate::items::server::store;
use crate::items::{
    check_listing, CreateItemReply, ItemFormErrors, ItemFormValues, ListingProblem, PHOTO,
};
use crate::server::http::forms::redirect_plain_post;
use crate::server::jobs::{self, JobError};
use crate::server::redis::db::Db;
use crate::server::redis::rate_limit::{self, Action};
use crate::server::state::AppState;
use crate::server::workers::Workers;
use crate::util::url::{clip, encode_query_value as enc};
use leptos::server_fn::codec::MultipartData;

/// Text fields are small; anything bigger is cut off (and then fails validation).
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// What the form sent.
#[derive(Debug, Default)]
pub struct ItemForm {
    pub name: String,
    pub description: String,
    pub price: String,
    pub duration: String,
    pub reserve: String,
    pub buy_now: String,
    pub category: String,
    /// The soft-close checkbox was sent (checked).
    pub soft_close: bool,
    pub photo: Option<Vec<u8>>,
    pub photo_too_large: bool,
    pub malformed: bool,
    /// The body went over the route's size limit (a chunked upload without Content-Length).
    pub body_too_large: bool,
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

/// Reads the multipart body field by field, never holding more than the limits allow.
pub async fn read_form(data: MultipartData) -> ItemForm {
    let mut form = ItemForm::default();
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
            MAX_UPLOAD_BYTES
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
            "name" => form.name = text(),
            "description" => form.description = text(),
            "price" => form.price = text(),
            "duration" => form.duration = text(),
            "reserve" => form.reserve = text(),
            "buy_now" => form.buy_now = text(),
            "category" => form.category = text(),
            "soft_close" => form.soft_close = !bytes.is_empty(),
            "photo" if over => form.photo_too_large = true,
            // An empty file input sends an empty part: no photo.
            "photo" if !bytes.is_empty() => form.photo = Some(bytes),
            _ => {}
        }
    }
    form
}

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
}

/// The job: make the card-size thumbnail of an item's photo (idempotent: it writes the same
/// bytes again). Runs on the same single photo thread as uploads, so memory stays bounded.
pub async fn run_thumbnail_job(db: &Db, payload: &str) -> Result<(), JobError> {
    let job: ThumbnailJob = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable thumbnail job: {e}")))?;
    let key = db.keys().item_image(job.item);
    let mut conn = db.raw_conn();
    let large: Option<Vec<u8>> = redis::cmd("HGET")
        .arg(&key)
        .arg("large")
        .query_async(&mut conn)
        .await?;
    let Some(large) = large else {
        return Ok(()); // no photo (or the item is gone): nothing to make
    };
    let thumb = PHOTO_WORKERS
        .run(move || images::thumbnail(&large))
        .await
        .map_err(|e| JobError::retry(e.to_string()))?
        .map_err(|e| JobError::permanent(format!("stored photo unreadable: {e:?}")))?;
    let _: () = redis::cmd("HSET")
        .arg(&key)
        .arg("thumb")
        .arg(thumb)
        .query_async(&mut conn)
        .await?;
    Ok(())
}

/// Validates and lists the item; answers plain form posts with a redirect.
pub async fn create(state: &AppState, form: ItemForm) -> Result<CreateItemReply, AppError> {
    // Refused: back to the form with the problems and what was typed (the photo is not kept).
    let reject = |errors: ItemFormErrors, form: &ItemForm| {
        redirect_plain_post(&format!(
            "/items/new?e={}&name={}&description={}&price={}&duration={}&reserve={}&buy_now={}&soft_close={}&category={}",
            enc(&errors.to_codes()),
            enc(&clip(&form.name, 80)),
            enc(&clip(&form.description, 2000)),
            enc(&clip(&form.price, 20)),
            enc(&clip(&form.duration, 5)),
            enc(&clip(&form.reserve, 20)),
            enc(&clip(&form.buy_now, 20)),
            if form.soft_close { 1 } else { 0 },
            enc(&clip(&form.category, 20)),
        ));
        Ok(CreateItemReply::Rejected(errors))
    };

    let Some(user) = crate::accounts::server::current_user(state).await? else {
        redirect_plain_post(&sign_in_url("/items/new"));
        return Ok(CreateItemReply::Rejected(ItemFormErrors::form(
            ListingProblem::SignIn,
        )));
    };
    if form.body_too_large {
        return Err(AppError::TooLarge);
    }
    if form.malformed {
        return Err(AppError::Invalid(
            "The upload was incomplete. Please try again.".into(),
        ));
    }
    let (mut errors, checked) = check_listing(&ItemFormValues {
        name: form.name.clone(),
        description: form.description.clone(),
        price: form.price.clone(),
        duration: form.duration.clone(),
        reserve: form.reserve.clone(),
        buy_now: form.buy_now.clone(),
        soft_close: form.soft_close,
        category: form.category.clone(),
    });
    if form.photo_too_large {
        errors.set(PHOTO, ListingProblem::PhotoLarge);
    }
    let Some(item) = checked.filter(|_| errors.is_empty()) else {
        return reject(errors, &form);
    };
    // Counted before the photo is decoded: a flood of uploads costs one Redis call each.
    if let Err(secs) = rate_limit::enforce_user(
        &state.db,
        Action::Listing,
        user.id,
        state.config.listing_limit,
    )
    .await?
    {
        return reject(
            ItemFormErrors::form(ListingProblem::RateLimited(secs)),
            &form,
        );
    }
    // Only spend CPU on the photo when everything else is fine.
    let mut photo = None;
    if let Some(bytes) = form.photo.clone() {
        match decode_photo(bytes).await? {
            Ok(p) => photo = Some(p),
            Err(e) => {
                errors.set(PHOTO, photo_problem(e));
                return reject(errors, &form);
            }
        }
    }
    let id = store::create(&state.db, user.id, &user.username, &item, photo.as_ref()).await?;
    if photo.is_some() {
        let payload = serde_json::to_string(&ThumbnailJob { item: id.0 }).unwrap_or_default();
        let key = format!("thumb:{id}");
        if let Err(e) = jobs::enqueue(
            &state.db,
            PHOTO_QUEUE,
            THUMBNAIL_JOB,
            &payload,
            None,
            Some(&key),
        )
        .await
        {
            tracing::warn!(item_id = %id, error = %e, "thumbnail not queued; cards show the photo");
        }
    }
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
