//! Demo data: users (one documented demo login), items with generated photos, and realistic
//! bids, views and likes, all written through the app's own code paths (Lua scripts included).
//! Touches only keys under the app's namespace.

use crate::accounts::server::{self as accounts, AuthPolicy};
use crate::error::AppError;
use crate::items::server::{self as items, images, BidOutcome};
use crate::items::NewItem;
use crate::server::redis::db::Db;
use crate::server::redis::rate_limit::Limit;
use std::io::Write;
use std::time::Duration;

pub const DEMO_USERNAME: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";

const ADJECTIVES: [&str; 16] = [
    "Vintage",
    "Brass",
    "Handmade",
    "Antique",
    "Retro",
    "Walnut",
    "Ceramic",
    "Leather",
    "Copper",
    "Silver",
    "Oak",
    "Glass",
    "Wool",
    "Linen",
    "Enamel",
    "Porcelain",
];
const NOUNS: [&str; 16] = [
    "telescope",
    "camera",
    "desk lamp",
    "teapot",
    "pocket watch",
    "record player",
    "chess set",
    "typewriter",
    "compass",
    "bookshelf",
    "vase",
    "radio",
    "guitar",
    "armchair",
    "globe",
    "clock",
];
const DETAILS: [&str; 6] = [
    "Lovingly restored and in full working order.",
    "A few signs of age, nothing that affects use.",
    "From a smoke-free home; original box included.",
    "Rare find, barely used.",
    "Collector's piece with a documented history.",
    "Solid, heavy and beautifully made.",
];

/// A small deterministic generator, so every seed run builds the same shop.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Progress on one terminal line: `[#####.....] 50/100 items`.
/// Only the finished line when stderr is not a terminal (CI logs, pipes).
fn progress(label: &str, done: usize, total: usize) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() && done != total {
        return;
    }
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    eprint!(
        "\r{label:>6} [{}{}] {done}/{total}",
        "#".repeat(filled),
        ".".repeat(width - filled)
    );
    if done == total {
        eprintln!();
    }
    let _ = std::io::stderr().flush();
}

/// True when the namespace holds no items yet.
pub async fn is_empty(db: &Db) -> Result<bool, AppError> {
    let mut conn = db.conn()?;
    let exists: bool = redis::cmd("EXISTS")
        .arg(db.keys().item_ids())
        .query_async(&mut conn)
        .await
        .map_err(|e| crate::server::redis::db::redis_error("seed check", e))?;
    Ok(!exists)
}

/// Creates `users` users and `items` items with bids, views and likes.
pub async fn run(db: &Db, users: usize, items_count: usize) -> Result<(), AppError> {
    let users = users.max(2);
    let policy = AuthPolicy {
        per_ip: Limit::per_secs(u32::MAX, 1),
        per_username: Limit::per_secs(u32::MAX, 1),
        session_ttl: Duration::from_secs(1),
    };
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    let mut people: Vec<(u64, String)> = Vec::with_capacity(users);
    for i in 0..users {
        let (name, password) = if i == 0 {
            (DEMO_USERNAME.to_string(), DEMO_PASSWORD.to_string())
        } else {
            (format!("bidder_{i:02}"), format!("password-{i:02}"))
        };
        let id = match accounts::sign_up(db, &policy, "seed", &name, &password, &password).await {
            Ok(session) => session.user_id,
            // Already there (seeding twice): reuse the account.
            Err(_) => match accounts::find_user_id(db, &name).await? {
                Some(id) => id,
                None => return Err(AppError::Internal),
            },
        };
        people.push((id, name));
        progress("users", i + 1, users);
    }

    for i in 0..items_count {
        let seller = &people[rng.below(people.len() as u64) as usize];
        let name = format!(
            "{} {}",
            ADJECTIVES[rng.below(ADJECTIVES.len() as u64) as usize],
            NOUNS[rng.below(NOUNS.len() as u64) as usize]
        );
        let description = format!(
            "{name}. {} {}",
            DETAILS[rng.below(DETAILS.len() as u64) as usize],
            DETAILS[rng.below(DETAILS.len() as u64) as usize]
        );
        let start_cents = [500, 1_000, 2_500, 4_900, 12_000, 35_000][rng.below(6) as usize];
        // Mostly days, a few ending within the hour so "Ending soonest" moves.
        let duration_ms = match rng.below(10) {
            0 => 10 * 60_000,
            1 => 3_600_000,
            n => n as i64 * 86_400_000 / 2,
        };
        let seed = rng.next();
        let photo = tokio::task::spawn_blocking(move || images::process(&images::demo_photo(seed)))
            .await
            .map_err(|_| AppError::Internal)?
            .ok();
        let item = NewItem {
            name,
            description,
            start_cents,
            duration_ms,
        };
        let id = items::create(db, seller.0, &seller.1, &item, photo.as_ref()).await?;

        let mut amount = start_cents;
        for _ in 0..rng.below(7) {
            let bidder = &people[rng.below(people.len() as u64) as usize];
            if bidder.0 == seller.0 {
                continue;
            }
            match items::place_bid(db, bidder.0, &bidder.1, id, amount).await? {
                BidOutcome::Accepted { min_next_cents, .. } => {
                    amount = min_next_cents + rng.below(4) as i64 * min_next_cents / 20;
                }
                BidOutcome::Rejected(_) => break,
            }
        }
        for v in 0..rng.below(60) {
            items::count_view(
                db,
                id,
                &items::Visitor::from(format!("a:seed-{v}").as_str()),
            )
            .await?;
        }
        for (uid, _) in people.iter().filter(|_| rng.below(5) == 0) {
            items::set_like(db, *uid, id, true).await?;
        }
        progress("items", i + 1, items_count);
    }
    eprintln!("Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}");
    Ok(())
}
