//! Item photos: decoded, bounded, re-encoded (which drops all metadata: EXIF, GPS, comments),
//! and stored in Redis so any app instance can serve them. Items without a photo get a
//! generated SVG placeholder.

use image::{DynamicImage, ImageFormat, ImageReader};
use std::io::Cursor;

/// Largest upload accepted (the HTTP layer bounds the request body by it).
use crate::util::limits::MAX_PHOTO_BYTES;
/// Bounding box of the stored large photo (item page).
const LARGE_MAX: u32 = 1200;
/// Bounding box of the stored thumbnail (cards).
const THUMB_MAX: u32 = 480;
/// Refuse images whose header claims more pixels than this (decompression bombs).
const MAX_PIXELS: u64 = 16_000_000;
/// Most memory one decoded photo may take: a 16-megapixel RGB photo fits; the same pixels at
/// 16 bits per channel or with alpha do not. The decoder checks this before it allocates, so a
/// small file that claims a huge bitmap costs nothing.
const MAX_DECODED_BYTES: u64 = 48 * 1024 * 1024;

/// A photo ready to store: two JPEG renditions.
#[derive(Debug, Clone)]
pub struct Photo {
    pub large: Vec<u8>,
    pub thumb: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoError {
    TooLarge,
    NotAnImage,
    TooManyPixels,
}

/// Decodes a JPEG, PNG or WebP (sniffed from the bytes, not the file name), and re-encodes it
/// as two bounded JPEGs. CPU-heavy: call it on the blocking pool.
pub fn process(bytes: &[u8]) -> Result<Photo, PhotoError> {
    let large = decode_large(bytes)?;
    let thumb = shrink(large.clone(), THUMB_MAX);
    Ok(Photo {
        large: encode(large, 85)?,
        thumb: encode(thumb, 80)?,
    })
}

/// The large rendition only (the listing request); the thumbnail is made later by a job
/// ([`thumbnail`]). CPU-heavy: call it on the photo worker.
pub fn process_large(bytes: &[u8]) -> Result<Photo, PhotoError> {
    Ok(Photo {
        large: encode(decode_large(bytes)?, 85)?,
        thumb: Vec::new(),
    })
}

/// The card-size thumbnail of a stored large rendition (a JPEG this module made, at most
/// 1200 px a side). CPU-heavy: call it on the photo worker.
pub fn thumbnail(large_jpeg: &[u8]) -> Result<Vec<u8>, PhotoError> {
    let large = decode_large(large_jpeg)?;
    encode(shrink(large, THUMB_MAX), 80)
}

/// Sniffs, bounds and decodes an upload, and shrinks it to the large rendition's box.
fn decode_large(bytes: &[u8]) -> Result<DynamicImage, PhotoError> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let reader = ImageReader::with_format(Cursor::new(bytes), format);
    let (w, h) = reader
        .into_dimensions()
        .map_err(|_| PhotoError::NotAnImage)?;
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        _ => PhotoError::NotAnImage,
    })?;
    // Box-filter downscaling keeps memory to the output size (`resize` would hold a float
    // copy of the whole photo); the thumbnail is made from the large rendition.
    Ok(shrink(image, LARGE_MAX))
}

fn shrink(image: DynamicImage, max: u32) -> DynamicImage {
    if image.width() > max || image.height() > max {
        image.thumbnail(max, max)
    } else {
        image
    }
}

fn encode(image: DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    // JPEG has no alpha: flatten onto RGB.
    let rgb = match image {
        DynamicImage::ImageRgb8(rgb) => rgb,
        other => other.to_rgb8(),
    };
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    DynamicImage::ImageRgb8(rgb)
        .write_with_encoder(encoder)
        .map_err(|_| PhotoError::NotAnImage)?;
    Ok(out)
}

/// A placeholder for items without a photo: the item's initial on a color derived from its name.
pub fn placeholder_svg(name: &str) -> String {
    let hash = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let hue = hash % 360;
    let initial: String = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".to_string());
    let initial = escape_xml(&initial);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl({hue},70%,62%)"/><stop offset="1" stop-color="hsl({},70%,45%)"/></linearGradient></defs><rect width="400" height="300" fill="url(#g)"/><text x="200" y="190" font-family="Arial,sans-serif" font-size="140" font-weight="700" fill="#fff" fill-opacity=".9" text-anchor="middle">{initial}</text></svg>"##,
        (hue + 40) % 360
    )
}

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A generated demo photo (for seed data): soft gradient with circles, as JPEG (empty if
/// encoding failed).
pub fn demo_photo(seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (w, h) = (480u32, 360u32);
    let base = [
        (next() % 200) as f32 + 30.0,
        (next() % 200) as f32 + 30.0,
        (next() % 200) as f32 + 30.0,
    ];
    let circles: Vec<(f32, f32, f32, [f32; 3])> = (0..4)
        .map(|_| {
            (
                (next() % w as u64) as f32,
                (next() % h as u64) as f32,
                (next() % 90 + 40) as f32,
                [
                    (next() % 256) as f32,
                    (next() % 256) as f32,
                    (next() % 256) as f32,
                ],
            )
        })
        .collect();
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let t = (x + y) as f32 / (w + h) as f32;
        let mut px = [
            base[0] * (1.0 - t) + 240.0 * t,
            base[1] * (1.0 - t) + 240.0 * t,
            base[2],
        ];
        for (cx, cy, r, color) in &circles {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            if d < *r {
                let a = 0.75 * (1.0 - d / r).min(1.0).sqrt();
                for i in 0..3 {
                    px[i] = px[i] * (1.0 - a) + color[i] * a;
                }
            }
        }
        image::Rgb(px.map(|v| v.clamp(0.0, 255.0) as u8))
    });
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
    if let Err(e) = DynamicImage::ImageRgb8(img).write_with_encoder(encoder) {
        // An empty photo is refused by `process`: the demo item shows its placeholder.
        tracing::warn!(error = %e, "demo photo not encoded");
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            w,
            h,
            image::Rgba([10, 200, 30, 128]),
        ));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_bounded_and_reencoded_as_jpeg() {
        let photo = process(&png(3000, 1500)).unwrap();
        let large = image::load_from_memory(&photo.large).unwrap();
        assert_eq!((large.width(), large.height()), (1200, 600));
        let thumb = image::load_from_memory(&photo.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (480, 240));
        assert_eq!(
            image::guess_format(&photo.large).unwrap(),
            ImageFormat::Jpeg
        );
    }

    #[test]
    fn jpeg_metadata_is_dropped() {
        let mut jpeg = demo_photo(7);
        // Splice an EXIF-like APP1 segment with a "secret" right after the SOI marker.
        let payload = b"Exif\0\0GPS secret location";
        let len = (payload.len() + 2) as u16;
        let mut app1 = vec![0xFF, 0xE1, (len >> 8) as u8, len as u8];
        app1.extend_from_slice(payload);
        jpeg.splice(2..2, app1);
        assert!(jpeg.windows(6).any(|w| w == b"secret"));
        let photo = process(&jpeg).unwrap();
        assert!(!photo.large.windows(6).any(|w| w == b"secret"));
        assert!(!photo.thumb.windows(6).any(|w| w == b"secret"));
    }

    #[test]
    fn non_images_and_oversized_uploads_are_refused() {
        assert_eq!(process(b"GIF89a...").unwrap_err(), PhotoError::NotAnImage);
        assert_eq!(
            process(b"<svg onload=alert(1)>").unwrap_err(),
            PhotoError::NotAnImage
        );
        assert_eq!(
            process(&vec![0u8; MAX_PHOTO_BYTES + 1]).unwrap_err(),
            PhotoError::TooLarge
        );
        let mut truncated = png(100, 100);
        truncated.truncate(60);
        assert_eq!(process(&truncated).unwrap_err(), PhotoError::NotAnImage);
    }

    /// A small PNG whose bitmap would be 6,000 x 6,000 at 16 bits per RGBA channel (288 MB):
    /// refused before the decoder allocates it.
    pub fn png_bomb() -> Vec<u8> {
        let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::new(6_000, 2_600);
        let mut out = Vec::new();
        DynamicImage::ImageRgba16(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn decompression_bombs_are_refused_by_decoded_size() {
        let bomb = png_bomb();
        assert!(bomb.len() < MAX_PHOTO_BYTES);
        assert_eq!(process(&bomb).unwrap_err(), PhotoError::TooManyPixels);
        // Over the pixel limit by its header alone.
        let wide = png(4_100, 4_000);
        assert_eq!(process(&wide).unwrap_err(), PhotoError::TooManyPixels);
    }

    #[test]
    fn placeholder_escapes_the_name() {
        let svg = placeholder_svg("<script>");
        assert!(!svg.contains("<script>"));
        assert!(placeholder_svg("lamp").contains(">L</text>"));
    }
}
