//! Demo data: users (one documented demo login), items with generated photos, and realistic
//! bids, views and likes, all written through the app's own code paths (Lua scripts included).
//! Touches only keys under the app's namespace.
//!
//! Large catalogues (`--items 50000`) are written with many items in flight at once on the
//! multiplexed connection, and share a small set of generated demo photos (stored once) rather
//! than storing a photo per item. Each item names a maker; there is one maker per ~20 items
//! whatever the size, so searching a maker finds a few dozen items at any catalogue size, as
//! specific searches do in a real shop.

use crate::accounts::server::{self as accounts, AuthPolicy};
use crate::auction::server::BidOutcome;
use crate::error::AppError;
use crate::items::server::{self as items, images};
use crate::items::{Condition, ItemId, ListingTerms, NewItem, Shipping};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::rate_limit::Limit;
use crate::util::id::UserId;
use futures_util::StreamExt;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// Distinct generated photos the seeded items share.
const DEMO_PHOTOS: u64 = 24;
/// Items written at once.
const IN_FLIGHT: usize = 64;
/// About this many items per maker.
const ITEMS_PER_MAKER: usize = 20;

const MAKER_START: [&str; 16] = [
    "Bra", "Kel", "Mor", "Vin", "Tal", "Dor", "Fen", "Lis", "Quor", "Ash", "Bel", "Cor", "Dun",
    "Ev", "Gar", "Hol",
];
const MAKER_MIDDLE: [&str; 16] = [
    "an", "ev", "ol", "ar", "en", "il", "or", "um", "ad", "ir", "ow", "et", "ax", "ym", "ul", "ed",
];
const MAKER_END: [&str; 12] = [
    "vik", "ton", "dale", "ford", "wick", "ley", "ham", "berg", "more", "stead", "worth", "by",
];

/// The name of maker `k`: `Kelanford`, `Bravevik`, ... (3,072 distinct names).
pub fn maker(k: usize) -> String {
    format!(
        "{}{}{}",
        MAKER_START[k % 16],
        MAKER_MIDDLE[k / 16 % 16],
        MAKER_END[k / 256 % 12]
    )
}

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
/// What the demo shop sells, with the category each goes in.
const NOUNS: [(&str, &str); 16] = [
    ("telescope", "sports"),
    ("camera", "electronics"),
    ("desk lamp", "home"),
    ("teapot", "home"),
    ("pocket watch", "jewellery"),
    ("record player", "electronics"),
    ("chess set", "toys"),
    ("typewriter", "antiques"),
    ("compass", "antiques"),
    ("bookshelf", "home"),
    ("vase", "art"),
    ("radio", "electronics"),
    ("guitar", "books"),
    ("armchair", "home"),
    ("globe", "antiques"),
    ("clock", "antiques"),
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

/// Deletes every key of the namespace and its search index (for benchmarks and test data),
/// on every primary of a cluster; returns how many keys went. Never touches keys outside the
/// prefix.
pub async fn purge(db: &Db) -> Result<u64, AppError> {
    let mut conn = db.conn()?;
    let fail = |e: redis::RedisError| redis_error("purge", e);
    let base = db.keys().items_index();
    let pattern = format!("{}*", db.keys().prefix());
    let mut deleted = 0;
    for primary in db.primaries().await.map_err(fail)?.iter() {
        let mut drop = redis::pipe();
        drop.cmd("FT.DROPINDEX").arg(primary.index_name(&base));
        // No index there (never created, or purged before): nothing to drop.
        let _ = db.on_primary(primary, &drop).await;
        let mut cursor: u64 = 0;
        loop {
            let (next, keys) = db
                .scan_primary(primary, cursor, &pattern, 5_000)
                .await
                .map_err(fail)?;
            if !keys.is_empty() {
                // One key per command: on a cluster each goes to its own slot.
                let mut unlink = redis::pipe();
                for key in &keys {
                    unlink.cmd("UNLINK").arg(key);
                }
                let gone: Vec<u64> = unlink.query_async(&mut conn).await.map_err(fail)?;
                deleted += gone.iter().sum::<u64>();
            }
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(deleted)
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
    let mut people: Vec<(UserId, String)> = Vec::with_capacity(users);
    for i in 0..users {
        let (name, password) = if i == 0 {
            (DEMO_USERNAME.to_string(), DEMO_PASSWORD.to_string())
        } else {
            (format!("bidder_{i:02}"), format!("password-{i:02}"))
        };
        let form = accounts::SignUp {
            username: &name,
            password: &password,
            confirm: &password,
            email: "",
        };
        let id = match accounts::sign_up(db, &policy, "seed", form).await {
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

    store_demo_photos(db).await?;
    let makers = (items_count / ITEMS_PER_MAKER).clamp(1, 3_072);
    let max_views = if items_count > 1_000 { 12 } else { 60 };
    let specs: Vec<ItemSpec> = (0..items_count)
        .map(|i| ItemSpec::draw(&mut rng, i, &people, makers, max_views))
        .collect();
    let done = AtomicUsize::new(0);
    let people = &people;
    let mut writes = futures_util::stream::iter(specs)
        .map(|spec| async {
            let written = spec.write(db, people).await;
            progress(
                "items",
                done.fetch_add(1, Ordering::Relaxed) + 1,
                items_count,
            );
            written
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some(written) = writes.next().await {
        written?;
    }
    drop(writes);
    // Leave the shop fully searchable: refresh every document the writes marked dirty, rather
    // than leaving a backlog to the running servers' index sync.
    loop {
        let synced = crate::items::server::index_sync::sync_all(db)
            .await
            .map_err(|e| redis_error("seed index sync", e))?;
        if synced == 0 {
            break;
        }
    }
    // And count what the writes logged (the demo's bids, views, likes and listings), rather
    // than leaving the backlog to the running servers.
    while crate::analytics::server::fold_all(db).await? > 0 {}
    eprintln!("Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}");
    Ok(())
}

/// Generates the shared demo photos once (in this namespace).
async fn store_demo_photos(db: &Db) -> Result<(), AppError> {
    let mut conn = db.conn()?;
    for n in 0..DEMO_PHOTOS {
        let exists: bool = redis::cmd("EXISTS")
            .arg(db.keys().demo_image(n))
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("demo photo", e))?;
        if exists {
            continue;
        }
        let photo =
            tokio::task::spawn_blocking(move || images::process(&images::demo_photo(n * 7919 + 1)))
                .await
                .map_err(|_| AppError::Internal)?
                .map_err(|_| AppError::Internal)?;
        let _: () = redis::cmd("HSET")
            .arg(db.keys().demo_image(n))
            .arg("large")
            .arg(photo.large)
            .arg("thumb")
            .arg(photo.thumb)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("demo photo", e))?;
    }
    Ok(())
}

/// One demo item, drawn from the generator before anything is written (so the shop is the
/// same however the writes interleave).
/// Where demo items are.
const TOWNS: [&str; 6] = [
    "Leeds, UK",
    "Lyon, France",
    "Austin, TX",
    "Porto, Portugal",
    "Osaka, Japan",
    "Cork, Ireland",
];

struct ItemSpec {
    seller: usize,
    item: NewItem,
    photo: u64,
    bids: Vec<(usize, u64)>,
    views: u64,
    likers: Vec<usize>,
}

impl ItemSpec {
    fn draw(
        rng: &mut Rng,
        i: usize,
        people: &[(UserId, String)],
        makers: usize,
        max_views: u64,
    ) -> Self {
        let seller = rng.below(people.len() as u64) as usize;
        let maker = maker(rng.below(makers as u64) as usize);
        let adjective = ADJECTIVES[rng.below(ADJECTIVES.len() as u64) as usize];
        let (noun, category) = NOUNS[rng.below(NOUNS.len() as u64) as usize];
        let name = format!("{adjective} {noun}");
        let description = format!(
            "{name} made by {maker}. {} {}",
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
        let bids = (0..rng.below(7))
            .map(|_| (rng.below(people.len() as u64) as usize, rng.below(4)))
            .collect();
        let views = rng.below(max_views);
        let likers = (0..people.len()).filter(|_| rng.below(5) == 0).collect();
        ItemSpec {
            seller,
            item: NewItem {
                name: format!("{name} ({maker})"),
                description,
                start_cents,
                duration_ms,
                category,
                // Drawn from the item's number, not the random stream (which the existing
                // demo data is drawn from).
                terms: ListingTerms {
                    condition: Condition::ALL[i % Condition::ALL.len()],
                    location: TOWNS[i % TOWNS.len()].to_string(),
                    shipping: [
                        Shipping::Free,
                        Shipping::Cost(495),
                        Shipping::PickupOnly,
                        Shipping::Cost(1_250),
                    ][i % 4],
                    returns_days: crate::items::RETURN_DAYS
                        [i / 3 % crate::items::RETURN_DAYS.len()],
                },
                ..NewItem::default()
            },
            photo: i as u64 % DEMO_PHOTOS,
            bids,
            views,
            likers,
        }
    }

    async fn write(self, db: &Db, people: &[(UserId, String)]) -> Result<ItemId, AppError> {
        let (seller_id, seller_name) = &people[self.seller];
        let id = items::create_with(
            db,
            *seller_id,
            seller_name,
            &self.item,
            items::PhotoSource::Demo(self.photo),
        )
        .await?;
        let mut amount = self.item.start_cents;
        for (bidder, raise) in self.bids {
            let (bidder_id, bidder_name) = &people[bidder];
            if bidder_id == seller_id {
                continue;
            }
            match crate::auction::server::place_bid(db, *bidder_id, bidder_name, id, amount).await?
            {
                BidOutcome::Accepted { min_next_cents, .. } => {
                    amount = min_next_cents + raise as i64 * min_next_cents / 20;
                }
                BidOutcome::Rejected(_) => break,
            }
        }
        for v in 0..self.views {
            let visitor = crate::engagement::server::Visitor::from(format!("a:seed-{v}").as_str());
            crate::engagement::server::count_view(db, id, &visitor).await?;
        }
        for liker in self.likers {
            crate::engagement::server::set_like(db, people[liker].0, id, true).await?;
        }
        Ok(id)
    }
}
