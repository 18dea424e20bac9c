//! The new-item form on the server: reads the multipart upload with hard size limits,
//! validates every field, processes the photo off the async runtime, then lists the item.
//! Nothing is written unless everything is valid.

use crate::error::AppError;
use crate::items::{check_item_fields, duration_ms, CreateItemReply, ItemFormErrors};
use crate::server::http::AppState;
use crate::server::images::{self, PhotoError, MAX_UPLOAD_BYTES};
use crate::server::items::NewItem;
use crate::server::{items, rate_limit, request};
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
    pub photo: Option<Vec<u8>>,
    pub photo_too_large: bool,
    pub malformed: bool,
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
                tracing::warn!(error = %e, "malformed multipart upload");
                form.malformed = true;
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
                    tracing::warn!(error = %e, "upload interrupted");
                    form.malformed = true;
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
            "photo" if over => form.photo_too_large = true,
            // An empty file input sends an empty part: no photo.
            "photo" if !bytes.is_empty() => form.photo = Some(bytes),
            _ => {}
        }
    }
    form
}

/// Validates and lists the item; answers plain form posts with a redirect.
pub async fn create(state: &AppState, form: ItemForm) -> Result<CreateItemReply, AppError> {
    let plain = request::is_plain_form_post();
    let reject = |errors: ItemFormErrors, form: &ItemForm| {
        if plain {
            use crate::accounts::encode_query_value as enc;
            leptos_axum::redirect(&format!(
                "/items/new?e={}&name={}&description={}&price={}&duration={}",
                enc(&errors.to_codes()),
                enc(&form.name.chars().take(80).collect::<String>()),
                enc(&form.description.chars().take(2000).collect::<String>()),
                enc(&form.price.chars().take(20).collect::<String>()),
                enc(&form.duration.chars().take(5).collect::<String>()),
            ));
        }
        Ok(CreateItemReply::Rejected(errors))
    };

    let Some(user) = request::current_user(state).await? else {
        if plain {
            leptos_axum::redirect(&crate::accounts::sign_in_url("/items/new"));
        }
        return Ok(CreateItemReply::Rejected(ItemFormErrors {
            form: Some("signin".into()),
            ..Default::default()
        }));
    };
    if form.malformed {
        return Err(AppError::Invalid(
            "The upload was incomplete. Please try again.".into(),
        ));
    }
    let (mut errors, price) =
        check_item_fields(&form.name, &form.description, &form.price, &form.duration);
    if form.photo_too_large {
        errors.photo = Some("photo-large".into());
    }
    // Only spend CPU on the photo when everything else is fine.
    let mut photo = None;
    if errors.is_empty() {
        if let Some(bytes) = form.photo.clone() {
            let processed = tokio::task::spawn_blocking(move || images::process(&bytes))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "photo task failed");
                    AppError::Internal
                })?;
            match processed {
                Ok(p) => photo = Some(p),
                Err(e) => {
                    errors.photo = Some(
                        match e {
                            PhotoError::TooLarge => "photo-large",
                            PhotoError::NotAnImage => "photo-type",
                            PhotoError::TooManyPixels => "photo-pixels",
                        }
                        .into(),
                    )
                }
            }
        }
    }
    if !errors.is_empty() {
        return reject(errors, &form);
    }
    if let Err(AppError::RateLimited { retry_after_secs }) = rate_limit::check(
        &state.db,
        "listing",
        &format!("user:{}", user.id),
        state.config.listing_limit,
    )
    .await
    {
        let errors = ItemFormErrors {
            form: Some(format!("rate-{retry_after_secs}")),
            ..Default::default()
        };
        return reject(errors, &form);
    }
    let item = NewItem {
        name: form.name.trim().to_string(),
        description: form.description.trim().to_string(),
        start_cents: price.unwrap_or_default(),
        duration_ms: duration_ms(&form.duration).unwrap_or_default(),
    };
    let id = items::create(&state.db, user.id, &user.username, &item, photo.as_ref()).await?;
    if plain {
        leptos_axum::redirect(&format!("/items/{id}"));
    }
    Ok(CreateItemReply::Created { id })
}
